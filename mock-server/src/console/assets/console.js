// cocart-mock console. Plain DOM, no dependencies; server text only ever goes through textContent.
'use strict';
(function () {
  var PAGE = 100;
  var S = {
    state: null, lineage: null, journal: null,
    jBefore: null,          // null: the newest page; else the page of entries with seq < jBefore
    highlight: null,        // journal seq to highlight
    counters: null,         // last SSE counters
    loadedLineage: -1, loadedJournal: -1,
    inflight: false, pending: false, lastStart: 0, timer: 0,
    lastNow: null, jGen: 0, force: false
  };
  var KIND = {
    login: 'login', refresh: 'refresh', rejection: 'rejected request', logout: 'logout',
    revocation: 'revoked', login_refused: 'login refused'
  };
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var tid = function (id, root) { return $('[data-testid="' + id + '"]', root); };

  // el('tag.cls', {attr}, children...) : children are strings (text nodes) or nodes.
  function el(spec, attrs) {
    var p = spec.split('.'), e = document.createElement(p[0] || 'span');
    if (p.length > 1) e.className = p.slice(1).join(' ');
    if (attrs) Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') e.textContent = String(v);
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, String(v));
    });
    add.apply(null, [e].concat(Array.prototype.slice.call(arguments, 2)));
    return e;
  }
  function add(e) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { add(e, x); });
      else e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
  }

  // ---- formatting ----
  function iso(unix) { return new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'); }
  function short(unix) { return iso(unix).slice(5, 19).replace('T', ' '); }
  function dur(s) {
    s = Math.abs(s);
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.round(s / 60) + ' min';
    if (s < 172800) return Math.round(s / 3600) + ' h';
    return Math.round(s / 86400) + ' d';
  }
  function ttl(s) { return s == null ? '—' : (s % 86400 === 0 ? s / 86400 + ' d' : s % 3600 === 0 ? s / 3600 + ' h' : s + ' s'); }
  // A token's fingerprint, 8 hex, tinted by its value so the same token is easy to follow down the timeline.
  function fp(f) {
    if (!f) return el('span.muted', { text: '?' });
    var c = el('code.fp', { title: 'fingerprint ' + f, text: String(f).slice(0, 8) }), h = parseInt(String(f).slice(0, 6), 16);
    if (!isNaN(h)) c.style.backgroundColor = 'hsl(' + (h % 360) + ',85%,90%)';
    return c;
  }
  function pat(p) { return p ? el('code.pat', { text: p.length > 12 ? p.slice(0, 12) + '…' : p }) : null; }
  function num(n) { return Number(n).toLocaleString('en-US'); }
  function time(unix) { return el('time', { datetime: iso(unix), title: iso(unix), text: short(unix) }); }

  // ---- fetching ----
  function getJSON(url) {
    return fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
      return r.json();
    });
  }
  function send(method, url, body) {
    return fetch(url, {
      method: method, headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.text().then(function (t) {
        var j = null;
        try { j = t ? JSON.parse(t) : null; } catch (e) { j = null; }
        if (!r.ok) throw new Error((j && (j.message || j.code)) || ('HTTP ' + r.status));
        return j;
      });
    });
  }
  function journalUrl() {
    return '/__mock/console/journal?limit=' + PAGE + (S.jBefore == null ? '' : '&before=' + S.jBefore);
  }
  function following() { return S.jBefore == null && tid('journal-follow').checked; }

  // One refresh in flight at most; changes during it coalesce into one more, at most 4 per second.
  function schedule(force) {
    if (force) S.force = true;
    if (S.inflight) { S.pending = true; return; }
    if (S.timer) return;
    var wait = Math.max(0, S.lastStart + 250 - Date.now());
    S.timer = setTimeout(function () { S.timer = 0; refresh(); }, wait);
  }
  function refresh() {
    var force = S.force, c = S.counters, jobs = [];
    S.inflight = true; S.pending = false; S.force = false; S.lastStart = Date.now();
    var wantLineage = force || !S.lineage || !c || c.lineage !== S.loadedLineage;
    var wantJournal = !S.journal || (following() && (force || !c || c.journal !== S.loadedJournal));
    var cl = c ? c.lineage : -1, cj = c ? c.journal : -1;
    jobs.push(getJSON('/__mock/console/state'));
    jobs.push(wantLineage ? getJSON('/__mock/console/lineage') : null);
    var gen = wantJournal ? ++S.jGen : 0;
    jobs.push(wantJournal ? getJSON(journalUrl()) : null);
    return Promise.all(jobs).then(function (r) {
      if (r[0]) S.state = r[0];
      if (/^Could not load/.test($('#clock-error').textContent)) showError('clock-error', '');
      if (r[1]) { S.lineage = r[1]; S.loadedLineage = cl; }
      if (r[2] && gen !== S.jGen) r[2] = null;
      if (r[2]) { S.journal = r[2]; S.loadedJournal = cj; pin(); }
      render(!!r[0], !!r[1] || (r[0] && r[0].now !== S.lastNow), !!r[2] || !!r[0]);
    }).catch(function (e) {
      showError('clock-error', 'Could not load: ' + e.message);
    }).then(function () {
      S.inflight = false;
      if (S.pending) schedule();
    });
  }
  // Follow off on the newest page: keep showing that page (new entries do not push it).
  function pin() {
    var es = S.journal && S.journal.entries;
    if (S.jBefore == null && !tid('journal-follow').checked && es && es.length) S.jBefore = es[0].seq + 1;
  }

  // ---- rendering ----
  function render(state, lineage, journal) {
    var f = document.activeElement, fkey = f && f.getAttribute && f.getAttribute('data-fkey');
    if (state && S.state) { renderHeader(); renderUsers(); renderGuests(); renderFaults(); }
    if (lineage && S.state && !state) renderUsers();
    if ((lineage || state) && S.lineage && S.state) renderLineage();
    if ((journal || lineage) && S.journal) renderJournal();
    if (fkey && document.activeElement !== f) {
      var again = document.querySelector('[data-fkey="' + fkey + '"]');
      if (again) again.focus({ preventScroll: true });
    }
    if (S.state && S.lineage && S.journal) {
      var b = document.body;
      b.dataset.renders = String((Number(b.dataset.renders) || 0) + 1);
      b.dataset.ready = '1';
    }
  }

  function renderHeader() {
    var st = S.state, p = st.profile || {}, now = tid('clock-now');
    now.textContent = iso(st.now);
    now.setAttribute('datetime', iso(st.now));
    now.dataset.unix = String(st.now);
    var items = [
      ['plugin', p.plugin], ['host profile', p.host_profile], ['environment', p.environment],
      ['access TTL', ttl(p.access_ttl)], ['refresh TTL', ttl(p.refresh_ttl)],
      ['secret', p.secret_configured ? 'configured' : 'none'], ['rate limit', p.rate_limit ? 'on' : 'off'],
      ['site', p.site_url]
    ];
    tid('profile').replaceChildren.apply(tid('profile'), items.map(function (kv) {
      return el('div', null, el('dt', { text: kv[0] }), el('dd', { text: kv[1] == null ? '—' : kv[1] }));
    }));
  }

  function cartView(cart, testid) {
    var box = el('div.cart', { 'data-testid': testid });
    if (!cart) { add(box, el('p.muted', { text: 'No cart.' })); return box; }
    var ul = el('ul.lines');
    (cart.items || []).forEach(function (it) {
      add(ul, el('li', { 'data-testid': 'cart-line', title: it.sku || null },
        el('span.qty', { text: it.quantity + ' ×' }), ' ', el('span.name', { text: it.name }),
        el('span.amt', { text: it.line_total + ' ' + (cart.currency || '') })));
    });
    if (!ul.children.length) add(ul, el('li.muted', { text: 'Empty.' }));
    add(box, ul, el('p.total', { 'data-testid': 'cart-total' },
      (cart.item_count != null ? cart.item_count + (cart.item_count === 1 ? ' item · ' : ' items · ') : '') + 'total ',
      el('strong', { text: cart.total + ' ' + (cart.currency || '') })));
    return box;
  }

  var cards = {};
  function renderUsers() {
    var host = $('#users'), seen = {}, users = (S.state.users || []).slice(), known = {};
    users.forEach(function (u) { known[u.id] = true; });
    // A deleted user keeps its lineage (its tokens now fail with "user deleted").
    ((S.lineage && S.lineage.users) || []).forEach(function (lu) {
      if (!known[lu.user_id]) users.push({ id: lu.user_id, username: lu.username || '?', deleted: true, live_sessions: 0, cart: null });
    });
    users.forEach(function (u) {
      seen[u.id] = true;
      var c = cards[u.id];
      if (!c) {
        c = cards[u.id] = {
          root: el('section.card', { 'data-testid': 'user-' + u.id, 'aria-labelledby': 'u-h-' + u.id }),
          head: el('div.card-head'),
          cart: el('div'),
          list: el('ol.lineage', { 'data-testid': 'lineage-user-' + u.id })
        };
        c.scroll = el('div.scroll', { tabindex: 0, role: 'region', 'aria-label': 'Token lineage of user ' + u.id }, c.list);
        add(c.root, c.head, el('h4', { text: 'Cart' }), c.cart,
          el('h4', null, 'Token lineage ', el('span.count.muted')), c.scroll);
      }
      c.head.replaceChildren(
        el('h3', { id: 'u-h-' + u.id }, u.display_name || u.username, el('span.muted', { text: ' @' + u.username + ' · id ' + u.id + (u.deleted ? ' · deleted' : '') })),
        el('span.muted', { text: u.email || '' }),
        el('span.badge', null, el('span', { 'data-testid': 'live-sessions', text: u.live_sessions }),
          ' live session' + (u.live_sessions === 1 ? '' : 's')));
      c.cart.replaceChildren(cartView(u.cart, 'cart-user-' + u.id));
      if (c.root.parentNode !== host) host.appendChild(c.root);
    });
    Object.keys(cards).forEach(function (id) {
      if (!seen[id]) { cards[id].root.remove(); delete cards[id]; }
    });
    if (!host.children.length) host.replaceChildren(el('p.muted', { text: 'No users.' }));
    else Array.prototype.slice.call(host.children).forEach(function (n) { if (!n.dataset.testid) n.remove(); });
  }

  function renderLineage() {
    var now = S.state.now, byUser = {};
    S.lastNow = now;
    (S.lineage.users || []).forEach(function (lu) { byUser[lu.user_id] = lu; });
    Object.keys(cards).forEach(function (id) {
      var c = cards[id], lu = byUser[id], evs = (lu && lu.events) || [];
      var count = $('.count', c.root);
      count.textContent = lu && lu.total > evs.length ? '(newest ' + evs.length + ' of ' + num(lu.total) + ')' : '';
      fillList(c.list, c.scroll, evs, now, 'No token events yet.');
    });
    var un = tid('lineage-unattributed');
    fillList(un, un.parentNode, S.lineage.unattributed || [], now, 'None.');
  }
  // Rows are kept by event: only new events are built, old ones leave; the relative expiry
  // texts follow the clock. So a 500-event timeline costs little per update.
  function fillList(list, scroll, evs, now, empty) {
    var atEnd = !list.children.length || scroll.scrollTop + scroll.clientHeight >= scroll.scrollHeight - 8;
    var old = list._rows || new Map(), rows = new Map(), want = [];
    evs.forEach(function (e) {
      var k = [e.id, e.request, e.at, e.kind, e.status].join('|'), li = old.get(k) || row(e);
      rows.set(k, li); want.push(li);
    });
    if (!want.length) want.push(list._empty || (list._empty = el('li.muted', { text: empty })));
    list._rows = rows;
    var keep = new Set(want);
    Array.prototype.slice.call(list.children).forEach(function (n) { if (!keep.has(n)) n.remove(); });
    var cur = list.firstChild;
    want.forEach(function (li) { if (cur === li) cur = cur.nextSibling; else list.insertBefore(li, cur); });
    relTimes(list, now);
    // Stay at the newest event; again after a frame, once off-screen rows have their real height.
    if (atEnd) {
      var toEnd = function () { scroll.scrollTop = scroll.scrollHeight; };
      toEnd(); requestAnimationFrame(function () { toEnd(); requestAnimationFrame(toEnd); });
    }
  }
  function relTimes(root, now) {
    Array.prototype.forEach.call(root.querySelectorAll('.rel'), function (s) {
      var left = Number(s.dataset.exp) - now, t = left <= 0 ? 'expired' + (left < 0 ? ' ' + dur(left) + ' ago' : '') : 'expires in ' + dur(left);
      if (s.textContent !== t) { s.textContent = t; s.classList.toggle('expired', left <= 0); }
    });
  }

  function row(e) {
    var refused = e.kind === 'rejection' || e.kind === 'login_refused' || (e.status != null && e.status >= 400);
    var li = el('li.ev.k-' + e.kind + (refused ? '.bad' : '') + (e.reused ? '.reused' : ''), {
      'data-testid': 'lineage-row', 'data-kind': e.kind, 'data-event-id': e.id,
      'data-request': e.request == null ? '' : e.request, 'data-reused': e.reused ? 'true' : 'false',
      'data-token-state': e.token_state || '', id: 'ev-' + e.id
    });
    var line1 = el('div.l1', null, time(e.at), ' ', el('span.kind', { text: KIND[e.kind] || e.kind }));
    if (e.reused) add(line1, ' ', el('strong.mark', { text: '⚠ presented twice' }));
    if (e.status != null) add(line1, ' ', el('span.st' + (e.status >= 400 || e.status === 0 ? '.sbad' : ''), { text: String(e.status) }));
    if (e.code) add(line1, ' ', el('code.code', { text: e.code }));
    add(line1, ' ', e.request == null ? el('span.muted', { text: 'control' }) :
      el('button.req', { type: 'button', 'data-seq': e.request, 'data-fkey': 'req-' + e.id + '-' + e.request,
        title: 'Show request #' + e.request + ' in the journal', onclick: function () { showRequest(e.request); } },
        'request #' + e.request, e.request_line ? el('span.rl', { text: ' ' + e.request_line }) : null));
    if (e.client) add(line1, ' ', el('span.client', { text: e.client }));
    add(line1, el('span.eid', { text: 'event ' + e.id }));
    add(li, line1);
    var a = e.access;
    if (a && (a.fingerprint || a.pat || a.expires_at != null)) {
      var l2 = el('div.l2', null, el('span.lbl', { text: e.kind === 'rejection' ? 'access presented' : 'access issued' }), ' ', fp(a.fingerprint), ' ', pat(a.pat));
      if (a.issued_at != null || a.expires_at != null) {
        add(l2, ' ', a.issued_at != null ? time(a.issued_at) : '?', ' → ', a.expires_at != null ? time(a.expires_at) : '?');
      }
      if (a.expires_at != null) add(l2, ' ', el('span.rel', { 'data-exp': a.expires_at }));
      add(li, l2);
    }
    var rp = e.refresh_presented, ri = e.refresh_issued;
    if (rp || ri) {
      var l3 = el('div.l2', null, el('span.lbl', { text: 'refresh' }), ' ');
      if (rp) add(l3, fp(rp.fingerprint), ' ', el('span.state', { text: '(' + (rp.state || '?') + ')' }));
      add(l3, rp ? ' → ' : 'issued ', ri ? fp(ri.fingerprint) : el('span.muted', { text: 'none' }));
      if (ri && ri.expires_at != null) add(l3, ' until ', time(ri.expires_at));
      add(li, l3);
    }
    if (e.token_state || e.detail) {
      add(li, el('div.l2.why', null, e.token_state ? el('span.tstate', { text: e.token_state }) : null,
        e.token_state && e.detail ? ' — ' : '', linkEvents(e.detail || '')));
    }
    return li;
  }

  // "event 5" in a detail sentence becomes a link to that row of the timeline.
  function linkEvents(text) {
    var out = [], re = /\bevent (\d+)/g, at = 0, m;
    while ((m = re.exec(text))) {
      out.push(text.slice(at, m.index), el('a', { href: '#ev-' + m[1], text: m[0] }));
      at = m.index + m[0].length;
    }
    out.push(text.slice(at));
    return out;
  }

  function renderGuests() {
    var ul = tid('guest-carts'), gs = S.state.guest_carts || [];
    ul.replaceChildren.apply(ul, gs.length ? gs.map(function (g) {
      var moved = g.transferred_to != null;
      return el('li.guest', { 'data-testid': 'guest-cart', 'data-key': g.key, 'data-transferred-to': moved ? g.transferred_to : '' },
        el('div', null, el('code', { title: g.key, text: g.key.length > 24 ? g.key.slice(0, 24) + '…' : g.key }),
          moved ? el('span.badge.moved', { text: 'moved to user ' + g.transferred_to }) : null),
        cartView(g.cart, 'guest-cart-' + g.key));
    }) : [el('li.muted', { text: 'No guest carts.' })]);
  }

  function renderFaults() {
    var ul = tid('faults'), fs = S.state.faults || [];
    ul.replaceChildren.apply(ul, fs.length ? fs.map(function (f) {
      var what = f.kind === 'status' ? 'status ' + f.status : f.kind === 'delay' ? 'delay ' + f.ms + ' ms' : f.kind;
      return el('li', { 'data-testid': 'fault' }, el('code', { text: f.path }), ' ', el('strong', { text: what }),
        el('span.muted', { text: ' × ' + f.times }));
    }) : [el('li.muted', { text: 'No pending faults.' })]);
  }

  function renderJournal() {
    var j = S.journal, es = j.entries || [], tb = $('tbody', tid('journal')), evBySeq = {};
    // The lineage events each request caused, linked both ways.
    if (S.lineage) (S.lineage.users || []).concat([{ events: S.lineage.unattributed || [] }]).forEach(function (lu) {
      (lu.events || []).forEach(function (e) { if (e.request != null) (evBySeq[e.request] = evBySeq[e.request] || []).push(e.id); });
    });
    var frag = document.createDocumentFragment();
    es.forEach(function (x) {
      var q = x.query ? '?' + x.query : '';
      var rf = x.refresh_presented || x.refresh_issued ?
        [x.refresh_presented ? fp(x.refresh_presented) : '', ' → ', x.refresh_issued ? fp(x.refresh_issued) : '—'] : '';
      add(frag, el('tr' + (x.seq === S.highlight ? '.hl' : ''), { 'data-testid': 'journal-row', 'data-seq': x.seq, id: 'j-' + x.seq, tabindex: -1, 'data-fkey': 'j-' + x.seq },
        el('td.num', { text: x.seq }),
        el('td.t', { text: x.at_ms ? new Date(x.at_ms).toISOString().slice(11, 23) : '' }),
        el('td.path', null, el('span.m', { text: x.method }), ' ', x.path, el('span.muted', { text: q })),
        el('td' + (x.status >= 400 || x.status === 0 ? '.sbad' : ''), { text: x.status === 0 ? '0 (none)' : x.status }),
        el('td', { text: x.auth }), el('td', { text: x.client || '' }),
        el('td', { text: x.user_id == null ? '' : x.user_id }), el('td', null, rf),
        el('td', null, (evBySeq[x.seq] || []).map(function (id, i) { return [i ? ', ' : '', el('a', { href: '#ev-' + id, text: 'event ' + id })]; }))));
    });
    if (!es.length) add(frag, el('tr', null, el('td.muted', { colspan: 9, text: 'No requests yet.' })));
    tb.replaceChildren(frag);
    var st = S.state && S.state.journal, fresh = S.jBefore == null || !st;
    var last = fresh ? (es.length ? es[0].seq : null) : st.last_seq, total = fresh ? j.total : st.total;
    var info = tid('journal-page-info');
    if (es.length && last != null) {
      var pos = function (seq) { return seq - last + total; };
      info.textContent = num(Math.max(1, pos(es[es.length - 1].seq))) + '–' + num(pos(es[0].seq)) + ' of ' + num(total);
    } else info.textContent = '0 of ' + num(total || 0);
    tid('journal-newer').disabled = isNewest();
    tid('journal-older').disabled = j.next_before == null;
  }
  function lastSeq() {
    var st = S.state && S.state.journal, es = S.journal && S.journal.entries;
    var a = st && st.last_seq != null ? st.last_seq : null;
    var b = S.jBefore == null && es && es.length ? es[0].seq : null;
    return a == null ? b : b == null ? a : Math.max(a, b);
  }
  function isNewest() { var l = lastSeq(); return S.jBefore == null || l == null || S.jBefore > l; }

  // ---- journal navigation ----
  function loadJournal(before) {
    S.jBefore = before;
    $('#journal-note').textContent = '';
    return refreshJournal();
  }
  function refreshJournal() {
    var gen = ++S.jGen;
    return getJSON(journalUrl()).then(function (j) {
      if (gen !== S.jGen) return;
      S.journal = j; pin();
      render(false, false, true);
    }).catch(function (e) { showError('clock-error', 'Journal: ' + e.message); });
  }
  function showRequest(seq) {
    S.highlight = seq;
    var r = document.getElementById('j-' + seq);
    var go = r ? Promise.resolve() : (function () {
      var last = lastSeq();
      if (last != null && seq > last - PAGE && tid('journal-follow').checked) return loadJournal(null);
      tid('journal-follow').checked = false;
      return loadJournal(Math.min(seq + PAGE / 2 + 1, (last == null ? seq : last) + 1));
    })();
    go.then(function () {
      Array.prototype.forEach.call(document.querySelectorAll('tr.hl'), function (t) { t.classList.remove('hl'); });
      var row = document.getElementById('j-' + seq);
      $('#journal-note').textContent = row ? '' : 'Request #' + seq + ' is no longer in the journal (it keeps the newest entries).';
      if (!row) return;
      row.classList.add('hl');
      row.scrollIntoView({ block: 'center' });
      row.focus({ preventScroll: true });
    });
  }

  // ---- controls ----
  function showError(id, msg) {
    var n = document.getElementById(id) || tid(id);
    n.textContent = msg || '';
  }
  function advance(seconds) {
    showError('clock-error', '');
    send('POST', '/__mock/clock', { advance: seconds }).then(function () { schedule(true); })
      .catch(function (e) { showError('clock-error', 'Clock: ' + e.message); });
  }

  function wire() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-advance]'), function (b) {
      b.addEventListener('click', function () { advance(Number(b.dataset.advance)); });
    });
    $('#clock-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var v = tid('clock-advance-seconds').value.trim();
      if (!/^\d+$/.test(v) || Number(v) <= 0) { showError('clock-error', 'Clock: enter a whole number of seconds above 0.'); return; }
      advance(Number(v));
    });
    $('#reset').addEventListener('click', function () {
      if (!window.confirm('Reset the mock to its seeded state (users, carts, journal, faults, clock)?')) return;
      send('POST', '/__mock/reset').then(function () { S.jBefore = null; schedule(true); })
        .catch(function (e) { showError('clock-error', 'Reset: ' + e.message); });
    });

    var form = tid('fault-form'), kind = form.elements.kind;
    function kindChanged() {
      ['status', 'delay'].forEach(function (k) {
        var lab = $('[data-for="' + k + '"]', form), on = kind.value === k;
        lab.hidden = !on;
        $('input', lab).disabled = !on;
      });
    }
    kind.addEventListener('change', kindChanged);
    kindChanged();
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var E = form.elements, body = { path: E.path.value.trim(), kind: kind.value };
      if (E.times.value !== '') body.times = Number(E.times.value);
      if (kind.value === 'status') body.status = Number(E.status.value);
      if (kind.value === 'delay') body.ms = Number(E.ms.value);
      showError('fault-error', '');
      send('POST', '/__mock/faults', body).then(function () { schedule(true); })
        .catch(function (e) { showError('fault-error', 'Fault not added: ' + e.message); });
    });
    $('#faults-clear').addEventListener('click', function () {
      showError('fault-error', '');
      send('DELETE', '/__mock/faults').then(function () { schedule(true); })
        .catch(function (e) { showError('fault-error', 'Could not clear: ' + e.message); });
    });

    tid('journal-newer').addEventListener('click', function () {
      var b = S.jBefore == null ? null : S.jBefore + PAGE, l = lastSeq();
      loadJournal(b == null || (l != null && b > l + 1) ? (tid('journal-follow').checked ? null : (l == null ? null : l + 1)) : b);
    });
    tid('journal-older').addEventListener('click', function () {
      if (S.journal && S.journal.next_before != null) loadJournal(S.journal.next_before);
    });
    tid('journal-follow').addEventListener('change', function (ev) {
      if (ev.target.checked) loadJournal(null); else pin();
    });
  }

  // ---- live ----
  function live() {
    var status = tid('live-status'), es = new EventSource('/__mock/console/events');
    function set(on) { status.textContent = on ? 'live' : 'reconnecting'; status.classList.toggle('on', on); }
    es.addEventListener('open', function () { set(true); });
    es.addEventListener('error', function () {
      set(false);
      // The browser retries by itself, except after an answer that is not an event stream.
      if (es.readyState === 2) setTimeout(live, 3000);
    });
    es.addEventListener('change', function (m) {
      set(true);
      var c = null;
      try { c = JSON.parse(m.data); } catch (e) { c = null; }
      S.counters = c;
      schedule();
    });
  }

  function start() {
    wire();
    refresh();
    live();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
