// The dashboard page: reads the daemon's event stream (src/dashboard/types.ts) and draws.
// Plain browser JavaScript, no build step; uPlot (window.uPlot) is served beside it.
'use strict';
(function () {
  const token = new URLSearchParams(location.search).get('t') || '';
  const q = (path) => `${path}${path.includes('?') ? '&' : '?'}t=${encodeURIComponent(token)}`;
  const $ = (id) => document.getElementById(id);
  const COLORS = { 'C/C++': '#3b82f6', Rust: '#e4702b', GHC: '#8b5cf6', Go: '#0ea5a4', other: '#8a94a0' };
  const WINDOW = 5; // samples in the hit-rate window
  const history = [];
  const charts = { calls: null, hits: null, languages: '' };
  const whyShown = new Map(); // seq -> <li>
  // What tests and curious people can read: the last tick, and how often the charts drew.
  const state = (window.__dashboard = { ticks: 0, draws: 0, stats: null, connected: false });

  // ---- numbers -----------------------------------------------------------------------
  const fmtInt = (n) => n.toLocaleString('en-US');
  const fmtBytes = (b) => {
    if (b < 1024) return `${b} B`;
    const u = ['KiB', 'MiB', 'GiB', 'TiB'];
    let i = -1;
    do { b /= 1024; i++; } while (b >= 1024 && i < u.length - 1);
    return `${b.toFixed(b < 10 ? 2 : 1)} ${u[i]}`;
  };
  const fmtMs = (ms) => (ms < 1000 ? `${ms} ms` : ms < 120000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60000).toFixed(1)} min`);
  const set = (id, value, text) => {
    const el = $(id);
    el.dataset.value = String(value);
    el.textContent = text === undefined ? fmtInt(value) : text;
  };
  const sum = (tools, k) => Object.values(tools).reduce((a, t) => a + (t[k] || 0), 0);

  function showNumbers(s) {
    const hits = sum(s.tools, 'direct-hit');
    const misses = sum(s.tools, 'miss');
    set('n-calls', sum(s.tools, 'calls'));
    set('n-hits', hits);
    set('n-shim-hits', sum(s.tools, 'shim-hit'));
    set('n-misses', misses);
    set('n-uncacheable', sum(s.tools, 'uncacheable'));
    set('n-passed-through', sum(s.tools, 'passed-through'));
    set('n-fallbacks', sum(s.tools, 'fallbacks'));
    const rate = hits + misses === 0 ? null : (100 * hits) / (hits + misses);
    set('n-hit-rate', rate === null ? '' : rate.toFixed(1), rate === null ? '–' : `${rate.toFixed(1)} %`);
    set('n-time-saved', s.cache['time-saved-ms'], fmtMs(s.cache['time-saved-ms']));
    const store = s.store || { bytes: 0, maxBytes: 0 };
    set('n-cache-size', store.bytes, fmtBytes(store.bytes) + (store.scanning ? ' (measuring)' : ''));
    set('n-cache-limit', store.maxBytes, store.maxBytes ? fmtBytes(store.maxBytes) : 'no limit');
    $('cache-bar').style.width = store.maxBytes ? `${Math.min(100, (100 * store.bytes) / store.maxBytes).toFixed(1)}%` : '0';
    set('n-evicted', s.cache.evicted);
    set('n-bytes-evicted', s.cache['bytes-evicted'], fmtBytes(s.cache['bytes-evicted']));
    const violations = s.uncacheableReasons['sandbox-violation'] || 0;
    set('n-sandbox-violations', violations);
    $('n-sandbox-violations').parentElement.classList.toggle('alert', violations > 0);
    set('n-verify-mismatches', s.cache['verify-mismatch']);
    $('n-verify-mismatches').parentElement.classList.toggle('alert', s.cache['verify-mismatch'] > 0);
    set('n-verified', s.cache.verified);
  }

  // ---- tables ------------------------------------------------------------------------
  const cell = (text, cls) => {
    const td = document.createElement('td');
    if (cls) td.className = cls;
    if (text instanceof Node) td.append(text); else td.textContent = String(text);
    return td;
  };
  const fill = (id, rows) => {
    const body = $(id).tBodies[0];
    body.replaceChildren(...rows.map((cells) => {
      const tr = document.createElement('tr');
      tr.append(...cells);
      return tr;
    }));
  };
  const docLink = (reason) => {
    const a = document.createElement('a');
    a.href = q('/docs/stats') + `#r-${reason}`;
    a.textContent = reason;
    a.target = '_blank';
    return a;
  };
  const ranked = (counts) => Object.entries(counts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

  function showTables(s) {
    fill('tools', Object.entries(s.tools).sort((a, b) => b[1].calls - a[1].calls).map(([tool, t]) => [
      cell(tool), cell(fmtInt(t.calls), 'n'), cell(fmtInt(t['direct-hit']), 'n'), cell(fmtInt(t['shim-hit']), 'n'),
      cell(fmtInt(t.miss), 'n'), cell(fmtInt(t.uncacheable), 'n'), cell(fmtInt(t['passed-through']), 'n'), cell(fmtInt(t['tool-failed']), 'n'),
    ]));
    fill('uncacheable', ranked(s.uncacheableReasons).map(([r, n]) => [cell(docLink(r)), cell(fmtInt(n), 'n')]));
    fill('passthrough', ranked(s.passThroughReasons).map(([r, n]) => [cell(docLink(r)), cell(fmtInt(n), 'n')]));
    fill('remotes', Object.entries(s.remotes).map(([url, r]) => {
      // The breaker is open while the remote is being skipped: a failure opened it, or skips went on, in the last 10 s.
      const past = history.length > 10 ? history[history.length - 11].remotes : undefined;
      const was = past && past[url];
      const open = was && (r.skipped > was.skipped || r['breaker-opened'] > was['breaker-opened']);
      const b = document.createElement('span');
      b.textContent = open ? 'open' : 'closed';
      if (open) b.className = 'open';
      return [cell(url), cell(fmtInt(r.hits), 'n'), cell(fmtInt(r.misses), 'n'), cell(fmtInt(r.errors), 'n'), cell(fmtInt(r.timeouts), 'n'), cell(b)];
    }));
  }

  // ---- latest misses, each with `reprise why` ----------------------------------------
  function showMisses(misses) {
    $('no-misses').hidden = misses.length > 0;
    const items = misses.map((m) => {
      let li = whyShown.get(m.seq);
      if (!li) {
        li = document.createElement('li');
        li.dataset.seq = String(m.seq);
        const head = document.createElement('div');
        const o = document.createElement('b');
        o.className = `outcome-${m.outcome}`;
        o.textContent = m.outcome;
        head.append(o, ` ${m.tool} `, Object.assign(document.createElement('code'), { textContent: m.output || '(no output)' }),
          ` at ${new Date(m.end).toLocaleTimeString()}`);
        if (m.reason) head.append(' — ', docLink(m.reason));
        const pre = document.createElement('pre');
        pre.className = 'why';
        pre.textContent = m.output ? 'reprise why …' : '';
        li.append(head, pre);
        whyShown.set(m.seq, li);
        if (m.output) {
          fetch(q(`/why?output=${encodeURIComponent(m.output)}&cwd=${encodeURIComponent(m.cwd)}`))
            .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
            .then((w) => { pre.textContent = w.text.trimEnd(); pre.dataset.verdict = w.report.verdict; })
            .catch((e) => { pre.textContent = `reprise why: ${e.message}`; });
        }
      }
      return li;
    });
    const keep = new Set(misses.map((m) => m.seq));
    for (const seq of whyShown.keys()) if (!keep.has(seq)) whyShown.delete(seq);
    $('misses').replaceChildren(...items);
  }

  // ---- charts ------------------------------------------------------------------------
  function series() {
    const langs = [...new Set(history.flatMap((h) => Object.keys(h.languages)))].sort();
    const xs = [];
    const calls = langs.map(() => []);
    const hits = langs.map(() => []);
    for (let i = 1; i < history.length; i++) {
      const a = history[i - 1], b = history[i];
      const dt = Math.max(0.001, (b.at - a.at) / 1000);
      xs.push(b.at / 1000);
      const w = history[Math.max(0, i - WINDOW)];
      langs.forEach((l, j) => {
        const x = b.languages[l], y = a.languages[l], z = w.languages[l];
        const d = x && y ? x.calls - y.calls : x ? x.calls : 0;
        calls[j].push(d >= 0 ? d / dt : 0);
        const dh = x && z ? x.hits - z.hits : 0, dm = x && z ? x.misses - z.misses : 0;
        hits[j].push(dh >= 0 && dm >= 0 && dh + dm > 0 ? (100 * dh) / (dh + dm) : null);
      });
    }
    return { langs, xs, calls, hits };
  }

  function makeChart(el, langs, yLabel, range) {
    const style = getComputedStyle(document.body);
    const fg = style.color;
    const grid = style.getPropertyValue('--line').trim() || '#ccc';
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    el.replaceChildren();
    return new uPlot({
      width: Math.max(300, el.clientWidth),
      height: 220,
      scales: { x: { time: true }, y: range ? { range } : { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [axis, { ...axis, label: yLabel, size: 50 }],
      series: [{}, ...langs.map((l) => ({ label: l, stroke: COLORS[l] || COLORS.other, width: 2, spanGaps: false, points: { show: false } }))],
      legend: { live: false },
      hooks: { draw: [() => { state.draws++; }] },
    }, [[], ...langs.map(() => [])], el);
  }

  function showCharts() {
    const s = series();
    const key = s.langs.join(',');
    if (!charts.calls || charts.languages !== key) {
      charts.languages = key;
      charts.calls?.destroy();
      charts.hits?.destroy();
      charts.calls = makeChart($('chart-calls'), s.langs, 'calls/s');
      charts.hits = makeChart($('chart-hits'), s.langs, '%', [0, 100]);
    }
    charts.calls.setData([s.xs, ...s.calls]);
    charts.hits.setData([s.xs, ...s.hits]);
  }
  // Axis and grid colours are read when a chart is made: a switch to dark or light makes them again.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    charts.languages = '';
    showCharts();
  });
  addEventListener('resize', () => {
    for (const [c, id] of [[charts.calls, 'chart-calls'], [charts.hits, 'chart-hits']]) c?.setSize({ width: Math.max(300, $(id).clientWidth), height: 220 });
  });

  // ---- the stream ----------------------------------------------------------------------
  let lastKey = '';
  const events = new EventSource(q('/events'));
  events.addEventListener('hello', (e) => {
    lastKey = '';
    history.length = 0;
    history.push(...JSON.parse(e.data).history);
  });
  events.addEventListener('tick', (e) => {
    const t = JSON.parse(e.data);
    t.sample.remotes = t.stats.remotes; // kept with the sample for the breaker column
    history.push(t.sample);
    if (history.length > 600) history.shift();
    state.ticks++;
    state.stats = t.stats;
    $('daemon').textContent = `daemon ${t.daemon.pid}, version ${t.daemon.version}, up since ${new Date(t.daemon.startedAt).toLocaleString()}; jobs ${t.daemon.jobsRunning}/${t.daemon.maxJobs} running, ${t.daemon.jobsWaiting} waiting`;
    // Redraw only what changed: an idle daemon's page does next to nothing each second.
    const key = JSON.stringify([t.stats, t.misses.map((m) => m.seq)]);
    if (key !== lastKey) {
      lastKey = key;
      showNumbers(t.stats);
      showTables(t.stats);
      showMisses(t.misses);
    }
    if (!document.hidden) showCharts();
  });
  events.addEventListener('open', () => { state.connected = true; $('live').textContent = 'live'; $('live').classList.add('on'); });
  events.addEventListener('error', () => { state.connected = false; $('live').textContent = 'offline'; $('live').classList.remove('on'); });
})();
