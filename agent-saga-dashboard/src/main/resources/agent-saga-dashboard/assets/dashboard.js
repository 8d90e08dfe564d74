// agent-saga dashboard: live refresh, local times, confirmations. The pages work without it.
(function () {
    'use strict';

    var body = document.body;
    var interval = Number(body.getAttribute('data-refresh') || 0);
    var state = document.getElementById('live-state');
    var toggle = state ? state.querySelector('.live-toggle') : null;
    var paused = false;
    var lastHtml = {};

    localTimes(document);
    forgetNotice();
    document.addEventListener('submit', confirmSubmit, true);

    if (!state) {
        return;
    }
    if (!(interval > 0)) {
        show('off', 'Live refresh off');
        if (toggle) { toggle.hidden = true; }
        return;
    }
    if (finished()) {
        show('finished', 'Finished');
        if (toggle) { toggle.hidden = true; }
        return;
    }
    show('live', 'Live');
    if (toggle) {
        toggle.addEventListener('click', function () {
            paused = !paused;
            toggle.textContent = paused ? 'Resume' : 'Pause';
            if (paused) { show('paused', 'Paused'); } else { refresh(); }
        });
    }
    document.addEventListener('visibilitychange', function () {
        if (!document.hidden && !paused) { refresh(); }
    });
    var timer = setTimeout(refresh, interval);

    function refresh() {
        clearTimeout(timer);
        if (paused) {
            return;
        }
        if (document.hidden || typing()) {
            show('paused', document.hidden ? 'Paused' : 'Paused while you type');
            timer = setTimeout(refresh, interval);
            return;
        }
        fetch(location.href, { credentials: 'same-origin', cache: 'no-store', headers: { 'X-Agent-Saga-Live': '1' } })
            .then(function (response) {
                if (!response.ok || response.redirected) {
                    throw new Error('HTTP ' + response.status);
                }
                return response.text();
            })
            .then(function (html) {
                if (paused) {
                    return; // paused while the request was under way
                }
                if (typing()) {
                    show('paused', 'Paused while you type');
                    timer = setTimeout(refresh, interval);
                    return;
                }
                swap(new DOMParser().parseFromString(html, 'text/html'));
                if (finished()) {
                    show('finished', 'Finished');
                    if (toggle) { toggle.hidden = true; }
                    return;
                }
                show('live', 'Live');
                state.title = 'Updated ' + new Date().toLocaleTimeString();
                timer = setTimeout(refresh, interval);
            })
            .catch(function () {
                if (paused) {
                    return;
                }
                show('offline', 'Offline');
                timer = setTimeout(refresh, interval * 2);
            });
    }

    // replaces each [data-live] element whose fresh copy differs, keeping open <details> open
    function swap(doc) {
        var regions = document.querySelectorAll('[data-live]');
        for (var i = 0; i < regions.length; i++) {
            var old = regions[i];
            var fresh = doc.getElementById(old.id);
            if (!fresh || lastHtml[old.id] === fresh.outerHTML) {
                continue;
            }
            lastHtml[old.id] = fresh.outerHTML;
            var open = [];
            old.querySelectorAll('details[open]').forEach(function (d) { if (d.id) { open.push(d.id); } });
            var node = document.importNode(fresh, true);
            old.parentNode.replaceChild(node, old);
            open.forEach(function (id) {
                var d = document.getElementById(id);
                if (d) { d.open = true; }
            });
            localTimes(node);
        }
    }

    function finished() {
        return document.querySelector('[data-live][data-finished="true"]') !== null;
    }

    // whether the reader is in, or typed into, a form field of a refreshed part: a refresh would lose it
    function typing() {
        var active = document.activeElement;
        if (active && (active.tagName === 'INPUT' || active.tagName === 'TEXTAREA') && active.closest('[data-live]')) {
            return true;
        }
        var fields = document.querySelectorAll('[data-live] input[type=text], [data-live] input[type=search], [data-live] textarea');
        for (var i = 0; i < fields.length; i++) {
            if (fields[i].value !== fields[i].defaultValue) {
                return true;
            }
        }
        return false;
    }

    function show(name, text) {
        state.setAttribute('data-state', name);
        state.querySelector('.live-text').textContent = text;
    }

    function localTimes(root) {
        root.querySelectorAll('time[datetime]').forEach(function (t) {
            var date = new Date(t.getAttribute('datetime'));
            if (!isNaN(date)) {
                t.title = t.textContent;
                t.textContent = date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
            }
        });
    }

    // a notice (?done=...) is shown once: the address loses it, so that a reload does not repeat it
    function forgetNotice() {
        if (window.history && location.search.indexOf('done=') >= 0) {
            var url = new URL(location.href);
            url.searchParams.delete('done');
            history.replaceState(null, '', url.pathname + url.search + url.hash);
        }
    }

    function confirmSubmit(event) {
        var message = event.target.getAttribute('data-confirm');
        if (message && !window.confirm(message)) {
            event.preventDefault();
        }
    }
})();
