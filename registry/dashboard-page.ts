/**
 * The registry's read-only dashboard as three static files: no data is ever written into them on the server, the
 * page fetches the JSON endpoints with the station token and builds every cell with textContent, so whatever a
 * record or a station name holds is shown as text. The token comes from the URL fragment (`/#token=flt_…`, which
 * the browser never sends) or from the form, is kept in sessionStorage for the tab, and goes out only as a bearer
 * header to this origin.
 */

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Fieldline registry</title>
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<header><h1>Fieldline registry</h1><span id="status" role="status"></span></header>
<form id="login" hidden>
  <label>Station token <input id="token" type="password" autocomplete="off" required></label>
  <button type="submit">Open</button>
</form>
<main id="board" hidden>
  <section aria-labelledby="stations-title">
    <h2 id="stations-title">Stations</h2>
    <table id="stations"><thead><tr><th>Station</th><th>Last seen</th><th>Version</th><th>Queue</th><th>Dead letters</th><th>Last run</th><th>Line session</th></tr></thead><tbody></tbody></table>
  </section>
  <section aria-labelledby="yield-title">
    <h2 id="yield-title">Yield</h2>
    <form id="period">
      <label>From <input id="from" type="date" required></label>
      <label>To <input id="to" type="date" required></label>
      <button type="submit">Show</button>
    </form>
    <h3>Per station</h3>
    <table id="yield-stations"><thead><tr><th>Station</th><th>Passed</th><th>Failed</th><th>Runs</th><th>Yield</th></tr></thead><tbody></tbody></table>
    <h3>Per profile</h3>
    <table id="yield-profiles"><thead><tr><th>Profile</th><th>Version</th><th>Passed</th><th>Failed</th><th>Runs</th><th>Yield</th></tr></thead><tbody></tbody></table>
  </section>
  <section aria-labelledby="device-title">
    <h2 id="device-title">Device</h2>
    <form id="lookup"><label>Serial <input id="serial" maxlength="128" required></label><button type="submit">Look up</button></form>
    <div id="device"></div>
  </section>
</main>
</body>
</html>
`;

export const DASHBOARD_CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:0 24px 24px;color:#1d2430}
header{display:flex;align-items:baseline;gap:16px}#status{color:#8a1c1c}
table{border-collapse:collapse;margin:8px 0 16px;min-width:50%}th,td{border-bottom:1px solid #d8dde6;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f2f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
.passed{color:#17663a}.failed{color:#8a1c1c}.stale{color:#8a6d1c}form{margin:8px 0}label{margin-right:12px}
`;

export const DASHBOARD_JS = `'use strict';
(function () {
  var KEY = 'fieldline-registry-token';
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function row(cells) {
    var tr = document.createElement('tr');
    cells.forEach(function (c) { tr.appendChild(c instanceof Node ? c : el('td', c)); });
    return tr;
  }
  function num(n) { return el('td', n, 'num'); }
  function fill(table, rows) {
    var body = table.tBodies[0];
    body.replaceChildren.apply(body, rows);
  }
  function status(text) { $('status').textContent = text || ''; }
  function token() { return sessionStorage.getItem(KEY); }
  function ago(iso) {
    var s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (!isFinite(s)) return '';
    if (s < 90) return s + ' s ago';
    if (s < 5400) return Math.round(s / 60) + ' min ago';
    if (s < 172800) return Math.round(s / 3600) + ' h ago';
    return Math.round(s / 86400) + ' days ago';
  }
  function pct(passed, failed) { return passed + failed === 0 ? '–' : (100 * passed / (passed + failed)).toFixed(1) + ' %'; }
  function api(path) {
    return fetch(path, { headers: { authorization: 'Bearer ' + token(), accept: 'application/json' }, credentials: 'omit', cache: 'no-store', redirect: 'error' }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (res.status === 401) { sessionStorage.removeItem(KEY); showLogin('That token was refused.'); throw new Error('unauthorized'); }
        if (!res.ok) throw new Error((body && body.error && body.error.message) || ('HTTP ' + res.status));
        return body;
      });
    });
  }
  function showLogin(message) {
    $('board').hidden = true;
    $('login').hidden = false;
    status(message);
  }
  function stations() {
    return api('/v1/stations').then(function (reply) {
      fill($('stations'), reply.stations.map(function (s) {
        var hb = s.heartbeat;
        var seen = el('td', s.lastSeen ? s.lastSeen.replace('T', ' ').slice(0, 19) + ' (' + ago(s.lastSeen) + ')' : 'never');
        var last = hb && hb.lastRun ? el('td', hb.lastRun.outcome + ' at ' + hb.lastRun.at.replace('T', ' ').slice(0, 19), hb.lastRun.outcome === 'passed' ? 'passed' : 'failed') : el('td', '–');
        var line = hb && hb.lineSession ? el('td', hb.lineSession.profile + ' since ' + hb.lineSession.since.replace('T', ' ').slice(0, 16) + ': ' + hb.lineSession.passed + ' passed, ' + hb.lineSession.failed + ' failed') : el('td', '–');
        var tr = row([el('td', s.name), seen, el('td', hb ? hb.version : '–'), num(hb ? hb.queue.pending : '–'), num(hb ? hb.queue.deadLetter : '–'), last, line]);
        tr.dataset.station = s.name;
        return tr;
      }));
    });
  }
  function day(input, offset) { return new Date(Date.parse(input.value + 'T00:00:00Z') + offset * 86400000).toISOString(); }
  function yields() {
    var q = '?from=' + encodeURIComponent(day($('from'), 0)) + '&to=' + encodeURIComponent(day($('to'), 1));
    return api('/v1/yield' + q).then(function (reply) {
      fill($('yield-stations'), reply.byStation.map(function (y) {
        var tr = row([el('td', y.station), num(y.passed), num(y.failed), num(y.total), num(pct(y.passed, y.failed))]);
        tr.dataset.station = y.station;
        return tr;
      }));
      fill($('yield-profiles'), reply.byProfile.map(function (y) {
        return row([el('td', y.profile), el('td', y.version), num(y.passed), num(y.failed), num(y.total), num(pct(y.passed, y.failed))]);
      }));
    });
  }
  function device(serial) {
    var out = $('device');
    return api('/v1/devices/' + encodeURIComponent(serial)).then(function (d) {
      var head = el('p', d.serial + (d.site ? ' at ' + d.site : '') + ': first seen ' + d.firstSeen + ', last seen ' + d.lastSeen + (d.replaces ? ', replaces ' + d.replaces : '') + (d.replacedBy ? ', replaced by ' + d.replacedBy : ''));
      var table = el('table');
      table.id = 'device-runs';
      table.appendChild(row(['Started', 'Station', 'Profile', 'Outcome', 'Error', 'Run'].map(function (h) { return el('th', h); })));
      d.runs.forEach(function (r) {
        var failed = (r.steps || []).filter(function (s) { return s.error; })[0];
        table.appendChild(row([el('td', r.startedAt), el('td', r.receivedFrom), el('td', r.profile.name + ' ' + r.profile.version), el('td', r.outcome, r.outcome === 'passed' ? 'passed' : 'failed'), el('td', failed ? failed.error.code : ''), el('td', r.id)]));
      });
      // Field-service records apart from the runs: a visit is not a unit made (a registry before them sent none).
      var visits = el('table');
      visits.id = 'device-service';
      visits.appendChild(row(['Started', 'Station', 'Service action', 'Operator', 'Outcome', 'Based on run', 'Record'].map(function (h) { return el('th', h); })));
      (d.serviceRecords || []).forEach(function (r) {
        visits.appendChild(row([el('td', r.startedAt), el('td', r.receivedFrom), el('td', r.service.action), el('td', r.service.operator), el('td', r.outcome, r.outcome === 'passed' ? 'passed' : 'failed'), el('td', r.service.basedOnRunId || '–'), el('td', r.id)]));
      });
      out.replaceChildren(head, table, el('h3', 'Service records'), visits);
    }, function (err) {
      out.replaceChildren(el('p', err.message === 'unauthorized' ? '' : 'No device ' + serial + ': ' + err.message));
    });
  }
  function refresh() {
    status('');
    return Promise.all([stations(), yields()]).then(function () { $('board').hidden = false; $('login').hidden = true; status(''); }, function (err) {
      if (err.message !== 'unauthorized') status(err.message);
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    var m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
      // Out of the address bar and the history as soon as it is read.
      history.replaceState(null, '', location.pathname + location.search);
    }
    var today = new Date().toISOString().slice(0, 10);
    $('to').value = today;
    $('from').value = new Date(Date.now() - 6 * 86400000).toISOString().slice(0, 10);
    $('login').addEventListener('submit', function (e) {
      e.preventDefault();
      sessionStorage.setItem(KEY, $('token').value.trim());
      $('token').value = '';
      refresh();
    });
    $('period').addEventListener('submit', function (e) { e.preventDefault(); yields().catch(function (err) { status(err.message); }); });
    $('lookup').addEventListener('submit', function (e) { e.preventDefault(); device($('serial').value.trim()); });
    if (token()) refresh(); else showLogin('');
  });
})();
`;
