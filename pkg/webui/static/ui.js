// phasesweep ui: polls the server's JSON and draws the sweep page's heat map on a canvas from
// the grids pkg/phase computed (colours included); line plots are pkg/phase's own SVG. No
// dependencies.
(function () {
  'use strict';
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  function get(url) {
    return fetch(url, { cache: 'no-store' }).then((r) =>
      r.json().then(
        (j) => { if (!r.ok) throw new Error(j.error || r.statusText); return j; },
        () => { throw new Error(r.status + ' ' + r.statusText); }));
  }
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const fmt = (v) => (v === null || v === undefined ? '—' : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(+v.toPrecision(4)));
  const eta = (s) => { if (!s || s <= 0) return '--'; s = Math.round(s); const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60; return (h ? h + 'h' : '') + (h || m ? m + 'm' : '') + (s % 60) + 's'; };
  const status = (sw) => sw.Status;

  // Sweeps page: the table is refreshed every 2 s.
  const list = $('#sweeps');
  if (list) setInterval(() => get('/api/sweeps').then((d) => {
    const body = $('tbody', list);
    body.replaceChildren(...d.sweeps.map((s) => {
      const tr = el('tr', { 'data-sweep': s.ID });
      const a = el('a', { href: '/sweep/' + encodeURIComponent(s.ID) }, s.ID);
      tr.append(el('td'), el('td', { class: 'status s-' + status(s) }, status(s)),
        el('td', { class: 'num' }, s.Progress.Done + '/' + s.Progress.Total));
      tr.firstChild.append(a);
      for (const c of s.Counts) tr.append(el('td', { class: 'num' }, String(c)));
      tr.append(el('td', { class: 'num' }, s.Progress.Rate ? s.Progress.Rate.toFixed(1) + '/s' : ''),
        el('td', { class: 'num' }, eta(s.Progress.ETA)),
        el('td', {}, s.Started && !s.Started.startsWith('0001') ? new Date(s.Started).toLocaleString() : ''));
      const t = el('td');
      if (s.TemporalURL) t.append(el('a', { href: s.TemporalURL, rel: 'noreferrer' }, 'Temporal'));
      tr.append(t);
      return tr;
    }));
  }).catch(() => {}), 2000);

  // The spec's YAML with keys, comments and numbers coloured (built from text nodes only).
  const spec = $('#spec');
  if (spec) {
    const out = [];
    for (const line of spec.textContent.split('\n')) {
      const m = /^(\s*-?\s*)([A-Za-z_][\w.]*)(:)(.*)$/.exec(line);
      let rest = line;
      if (m) { out.push(m[1], el('span', { class: 'y-key' }, m[2]), m[3]); rest = m[4]; }
      const c = rest.indexOf('#');
      const body = c >= 0 ? rest.slice(0, c) : rest;
      for (const part of body.split(/((?<![\w.])-?\d[\d.eE+-]*)/)) out.push(/^-?\d/.test(part) ? el('span', { class: 'y-num' }, part) : part);
      if (c >= 0) out.push(el('span', { class: 'y-comment' }, rest.slice(c)));
      out.push('\n');
    }
    spec.replaceChildren(...out);
  }

  const page = $('#sweep');
  if (!page) return;
  const id = page.dataset.id;
  const base = '/sweep/' + encodeURIComponent(id);
  const api = '/api/sweep/' + encodeURIComponent(id);
  const form = $('#controls');
  const figBox = $('#figure');
  const tip = $('#tooltip');
  let tableKey = null, drawnFor = null, columnsSet = false, busy = false, lastFig = null;
  // A 'redraw' event draws the last heat map again (the timing of the large-sweep test).
  figBox.addEventListener('redraw', () => { if (lastFig && lastFig.kind === 'heat') drawHeat(lastFig); });

  function query() {
    const q = new URLSearchParams();
    for (const f of form.elements) if (f.name && f.value) q.set(f.name, f.value);
    return q;
  }
  function fillSelect(name, values) {
    const s = form.elements[name];
    for (const v of values) s.append(el('option', { value: v }, v));
  }

  function poll() {
    get(api + '/progress').then((p) => {
      const g = p.sweep, pr = g.Progress;
      $('#done').textContent = pr.Done;
      $('#total').textContent = pr.Total;
      $('#chunks').textContent = pr.ChunksDone + '/' + pr.Chunks;
      $('#bar-done').style.width = (pr.Total ? (100 * pr.Done) / pr.Total : 0) + '%';
      $('#rate').textContent = pr.Rate ? pr.Rate.toFixed(1) : '--';
      $('#eta').textContent = eta(pr.ETA);
      const st = $('#status');
      st.textContent = g.Status;
      st.className = 'status s-' + g.Status;
      p.statuses.forEach((s, i) => { $('#count-' + s).textContent = p.counts[i]; });
      $('#rows').textContent = p.rows;
      $('#partial').textContent = p.partial ? '(partial)' : '';
      if (!columnsSet && p.params) {
        columnsSet = true;
        for (const n of ['x', 'y', 'by', 'facet']) fillSelect(n, p.params);
        fillSelect('z', p.metrics);
        // The page's own query chooses the controls (a link to a figure).
        const want = new URLSearchParams(location.search);
        for (const f of form.elements) if (f.name && want.has(f.name)) f.value = want.get(f.name);
      }
      tableKey = p.key;
      if (p.rows > 0 && drawnFor !== tableKey + '?' + query()) drawFigure();
      setTimeout(poll, g.Status === 'running' || g.Status === 'paused' ? 1000 : 5000);
    }).catch((e) => { $('#fig-msg').textContent = 'progress: ' + e.message; setTimeout(poll, 3000); });
  }

  function drawFigure() {
    if (busy) return;
    busy = true;
    const q = query(), want = tableKey + '?' + q;
    history.replaceState(null, '', base + (String(q) ? '?' + q : ''));
    $('#dl-svg').href = base + '/download/figure.svg?' + q;
    $('#dl-png').href = base + '/download/figure.png?' + q;
    get(api + '/figure?' + q).then((f) => {
      $('#fig-msg').textContent = '';
      $('#notes').textContent = f.notes || '';
      lastFig = f;
      if (f.kind === 'heat') drawHeat(f); else drawLines(f, q);
      figBox.dataset.key = f.key;
      drawnFor = want;
    }).catch((e) => { $('#fig-msg').textContent = e.message; drawnFor = want; })
      .finally(() => { busy = false; if (drawnFor !== tableKey + '?' + query()) drawFigure(); });
  }

  function drawLines(f, q) {
    let n = 0;
    for (const s of f.lines) for (const l of s.Lines) for (const c of l.N) if (c > 0) n++;
    const img = el('img', { class: 'plot', alt: f.z + ' against ' + f.x, src: base + '/download/figure.svg?' + q + '&key=' + encodeURIComponent(f.key) });
    figBox.replaceChildren(img);
    figBox.dataset.cells = n;
    figBox.dataset.kind = 'lines';
  }

  // Heat map: one canvas per panel, cells in index space (one column per distinct x, as the
  // axis values are log- or evenly spaced in a sweep), a colour bar beside.
  const M = { left: 70, right: 12, top: 28, bottom: 46 };
  function drawHeat(f) {
    let drawn = 0;
    const panels = f.panels.map((p) => {
      const nx = p.Xs.length, ny = p.Ys.length;
      const cw = Math.max(2, Math.min(48, Math.floor(520 / nx))), ch = Math.max(2, Math.min(36, Math.floor(400 / ny)));
      const W = M.left + nx * cw + M.right, H = M.top + ny * ch + M.bottom;
      const cv = el('canvas', { class: 'heat', width: W * devicePixelRatio, height: H * devicePixelRatio });
      Object.assign(cv.dataset, { left: M.left, top: M.top, cw, ch, nx, ny, facet: p.Facet });
      cv.style.width = W + 'px';
      cv.style.height = H + 'px';
      const g = cv.getContext('2d');
      g.scale(devicePixelRatio, devicePixelRatio);
      g.font = '12px sans-serif';
      g.fillStyle = '#222';
      g.textAlign = 'center';
      g.fillText(p.Title + (f.where ? ' · ' + f.where : ''), M.left + (nx * cw) / 2, 16);
      for (let iy = 0; iy < ny; iy++) for (let ix = 0; ix < nx; ix++) {
        const c = iy * nx + ix;
        if (!p.N[c]) continue;
        const x0 = M.left + ix * cw, y0 = M.top + (ny - 1 - iy) * ch;
        g.fillStyle = p.Color[c];
        g.fillRect(x0, y0, cw, ch);
        drawn++;
        if (p.Bad[c]) hatch(g, x0, y0, cw, ch, f.scale.Hatch);
      }
      axes(g, p, f, nx, ny, cw, ch);
      cv.addEventListener('mousemove', (ev) => hover(ev, f, p, cw, ch));
      cv.addEventListener('mouseleave', () => { tip.hidden = true; });
      cv.addEventListener('click', (ev) => { const c = cellAt(ev, p, cw, ch); if (c) location.href = base + '/points?' + cellQuery(f, p, c); });
      const div = el('div', { class: 'panel' });
      div.append(cv);
      return div;
    });
    panels.push(colourBar(f));
    figBox.replaceChildren(...panels);
    figBox.dataset.cells = drawn;
    figBox.dataset.kind = 'heat';
  }

  function hatch(g, x0, y0, w, h, color) {
    g.save();
    g.beginPath();
    g.rect(x0, y0, w, h);
    g.clip();
    g.strokeStyle = color;
    g.lineWidth = 0.8;
    g.beginPath();
    for (let d = 0; d < w + h; d += 6) { g.moveTo(x0 + d, y0 + h); g.lineTo(x0 + d - h, y0); }
    g.stroke();
    g.restore();
  }

  function axes(g, p, f, nx, ny, cw, ch) {
    g.fillStyle = '#222';
    g.strokeStyle = '#222';
    g.strokeRect(M.left, M.top, nx * cw, ny * ch);
    const every = (n, px) => Math.max(1, Math.ceil(n / Math.max(1, Math.floor((n * px) / 60))));
    g.textAlign = 'center';
    for (let i = 0; i < nx; i += every(nx, cw)) g.fillText(fmt(p.Xs[i]), M.left + (i + 0.5) * cw, M.top + ny * ch + 14);
    g.fillText(f.x, M.left + (nx * cw) / 2, M.top + ny * ch + 34);
    g.textAlign = 'right';
    for (let i = 0; i < ny; i += every(ny, Math.max(ch, 12) * 2.5)) g.fillText(fmt(p.Ys[i]), M.left - 4, M.top + (ny - i - 0.5) * ch + 4);
    g.save();
    g.translate(14, M.top + (ny * ch) / 2);
    g.rotate(-Math.PI / 2);
    g.textAlign = 'center';
    g.fillText(f.y, 0, 0);
    g.restore();
  }

  function colourBar(f) {
    const s = f.scale, H = 300, W = 120;
    const cv = el('canvas', { class: 'cbar', width: W, height: H + 80 });
    const g = cv.getContext('2d');
    g.font = '12px sans-serif';
    const step = H / s.Bar.length;
    s.Bar.forEach((c, i) => { g.fillStyle = c; g.fillRect(10, M.top + H - (i + 1) * step, 20, step + 0.5); });
    g.fillStyle = '#222';
    g.fillText(fmt(s.Max), 36, M.top + 8);
    g.fillText(fmt(s.Min), 36, M.top + H);
    g.fillText(f.z + (s.Log ? ' (log)' : ''), 10, 16);
    g.fillStyle = s.Bad;
    g.fillRect(10, M.top + H + 16, 20, 14);
    hatch(g, 10, M.top + H + 16, 20, 14, s.Hatch);
    g.fillStyle = '#222';
    g.fillText('diverged / failed', 36, M.top + H + 27);
    const div = el('div', { class: 'panel' });
    div.append(cv);
    return div;
  }

  function cellAt(ev, p, cw, ch) {
    const r = ev.target.getBoundingClientRect();
    const x = ev.clientX - r.left - M.left, y = ev.clientY - r.top - M.top;
    const nx = p.Xs.length, ny = p.Ys.length;
    const ix = Math.floor(x / cw), iy = ny - 1 - Math.floor(y / ch);
    if (x < 0 || y < 0 || ix >= nx || iy < 0) return null;
    const c = iy * nx + ix;
    return p.N[c] ? { ix, iy, c } : null;
  }

  // cellQuery selects the rows of a cell on the points page: --where and the cell's values.
  function cellQuery(f, p, c) {
    const cond = [f.x + '=' + p.Xs[c.ix], f.y + '=' + p.Ys[c.iy]];
    if (f.facet) cond.push(f.facet + '=' + p.Facet);
    const q = new URLSearchParams({ cell: cond.join(',') });
    if (f.where) q.set('where', f.where);
    return q;
  }

  function hover(ev, f, p, cw, ch) {
    const c = cellAt(ev, p, cw, ch);
    if (!c) { tip.hidden = true; return; }
    const lines = [[f.x, p.Xs[c.ix]], [f.y, p.Ys[c.iy]]];
    if (f.facet) lines.push([f.facet, p.Facet]);
    const rows = lines.map(([k, v]) => el('div', { class: 'param' }, k + ' = ' + v));
    if (f.where) rows.push(el('div', { class: 'where' }, 'where ' + f.where));
    const z = p.Z[c.c];
    rows.push(el('div', { class: 'agg' }, f.agg + ' ' + f.z + ' = ' + (z === null ? (p.Bad[c.c] ? 'not drawn (diverged / failed / non-finite)' : '—') : z)));
    rows.push(el('div', { class: 'n' }, p.N[c.c] + ' rows: ' + f.statuses.map((s, i) => p.Counts[c.c][i] + ' ' + s).join(', ')));
    rows.push(el('div', { class: 'seeds' }, 'seeds ' + (p.Seeds[c.c] || []).join(', ')));
    rows.push(el('div', { class: 'hint' }, 'click: the points'));
    tip.replaceChildren(...rows);
    Object.assign(tip.dataset, {
      x: p.Xs[c.ix], y: p.Ys[c.iy], facet: p.Facet, z: z === null ? 'null' : z, n: p.N[c.c], bad: p.Bad[c.c],
      counts: JSON.stringify(p.Counts[c.c]), seeds: JSON.stringify(p.Seeds[c.c] || []),
    });
    tip.hidden = false;
    tip.style.left = ev.pageX + 14 + 'px';
    tip.style.top = ev.pageY + 14 + 'px';
  }

  form.addEventListener('change', drawFigure);
  form.addEventListener('submit', (e) => { e.preventDefault(); drawFigure(); });

  for (const b of $$('button[data-action]')) b.addEventListener('click', () => {
    const body = new URLSearchParams();
    if (b.dataset.action === 'concurrency') body.set('n', $('#concurrency').value);
    if (b.dataset.action === 'cancel' && !confirm('Cancel sweep ' + id + '?')) return;
    fetch(api + '/' + b.dataset.action, { method: 'POST', body })
      .then((r) => r.text().then((t) => { $('#control-msg').textContent = r.ok ? b.dataset.action + ' requested' : t; }))
      .catch((e) => { $('#control-msg').textContent = e.message; });
  });

  poll();
})();
