// phasesweep ui: polls the server's JSON and draws the sweep page's figure on canvases from
// what pkg/phase computed for `sweep plot`: a heat map's grids, colours and marks, a line
// plot's lines, bands and marks in its styles. No dependencies.
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
  figBox.addEventListener('redraw', () => { if (lastFig) (lastFig.kind === 'heat' ? drawHeat : drawLines)(lastFig); });

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
      if (f.kind === 'heat') drawHeat(f); else drawLines(f);
      figBox.dataset.key = f.key;
      drawnFor = want;
    }).catch((e) => { $('#fig-msg').textContent = e.message; drawnFor = want; })
      .finally(() => { busy = false; if (drawnFor !== tableKey + '?' + query()) drawFigure(); });
  }

  // Heat map: one canvas per panel, a colour bar beside. Cells are in index space (one column
  // per distinct x, as the axis values are log- or evenly spaced in a sweep), or on a refined
  // grid at the rectangles pkg/phase computed (p.Rects: fractions of the data area, finer cells
  // drawn last).
  const M = { left: 70, right: 12, top: 28, bottom: 46 };
  function drawHeat(f) {
    let drawn = 0;
    const panels = f.panels.map((p) => {
      const nx = p.Xs.length, ny = p.Ys.length;
      const cw = Math.max(2, Math.min(48, Math.floor(520 / nx))), ch = Math.max(2, Math.min(36, Math.floor(400 / ny)));
      const box = p.Rects ? { w: 520, h: 400 } : { w: nx * cw, h: ny * ch };
      const W = M.left + box.w + M.right, H = M.top + box.h + M.bottom;
      const cv = el('canvas', { class: 'heat', width: W * devicePixelRatio, height: H * devicePixelRatio });
      Object.assign(cv.dataset, { left: M.left, top: M.top, w: box.w, h: box.h, facet: p.Facet });
      if (!p.Rects) Object.assign(cv.dataset, { cw, ch, nx, ny });
      cv.style.width = W + 'px';
      cv.style.height = H + 'px';
      const g = cv.getContext('2d');
      g.scale(devicePixelRatio, devicePixelRatio);
      g.font = '12px sans-serif';
      g.fillStyle = '#222';
      g.textAlign = 'center';
      g.fillText(p.Title + (f.where ? ' · ' + f.where : ''), M.left + box.w / 2, 16);
      for (const r of cellBoxes(p, box, cw, ch)) {
        g.fillStyle = p.Color[r.c];
        g.fillRect(r.x0, r.y0, r.w, r.h);
        drawn++;
        cellMarks(g, p.Marks[r.c], r.x0, r.y0, r.w, r.h, f.scale);
      }
      if (p.Boundary) boundary(g, p.Boundary, nx, ny, cw, ch, f.scale);
      if (p.BoundaryLines) boundaryLines(g, p.BoundaryLines, box, f.scale);
      axes(g, p, f, box, cw, ch);
      cv.addEventListener('mousemove', (ev) => hover(ev, f, p, box, cw, ch));
      cv.addEventListener('mouseleave', () => { tip.hidden = true; });
      cv.addEventListener('click', (ev) => { const c = cellAt(ev, p, box, cw, ch); if (c) location.href = base + '/points?' + cellQuery(f, p, c); });
      const div = el('div', { class: 'panel' });
      div.append(cv);
      return div;
    });
    panels.push(colourBar(f));
    figBox.replaceChildren(...panels);
    figBox.dataset.cells = drawn;
    figBox.dataset.kind = 'heat';
  }

  // cellBoxes are the cells with runs of panel p in drawing order, in canvas pixels: c the
  // cell's index (iy * nx + ix), (x0, y0) its top left corner, w, h its size.
  function cellBoxes(p, box, cw, ch) {
    const out = [], nx = p.Xs.length, ny = p.Ys.length;
    if (p.Rects) {
      for (const r of p.Rects) out.push({ c: r.C, x0: M.left + r.X0 * box.w, y0: M.top + (1 - r.Y1) * box.h, w: (r.X1 - r.X0) * box.w, h: (r.Y1 - r.Y0) * box.h });
      return out;
    }
    for (let iy = 0; iy < ny; iy++) for (let ix = 0; ix < nx; ix++) {
      const c = iy * nx + ix;
      if (p.N[c]) out.push({ c, x0: M.left + ix * cw, y0: M.top + (ny - 1 - iy) * ch, w: cw, h: ch });
    }
    return out;
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

  function axes(g, p, f, box, cw, ch) {
    const nx = p.Xs.length, ny = p.Ys.length;
    g.fillStyle = '#222';
    g.strokeStyle = '#222';
    g.strokeRect(M.left, M.top, box.w, box.h);
    const every = (n, px) => Math.max(1, Math.ceil(n / Math.max(1, Math.floor((n * px) / 60))));
    g.textAlign = 'center';
    if (p.XTicks) for (const t of p.XTicks) g.fillText(t.Label, M.left + t.At * box.w, M.top + box.h + 14);
    else for (let i = 0; i < nx; i += every(nx, cw)) g.fillText(fmt(p.Xs[i]), M.left + (i + 0.5) * cw, M.top + box.h + 14);
    g.fillText(f.x, M.left + box.w / 2, M.top + box.h + 34);
    g.textAlign = 'right';
    if (p.YTicks) for (const t of p.YTicks) g.fillText(t.Label, M.left - 4, M.top + (1 - t.At) * box.h + 4);
    else for (let i = 0; i < ny; i += every(ny, Math.max(ch, 12) * 2.5)) g.fillText(fmt(p.Ys[i]), M.left - 4, M.top + (ny - i - 0.5) * ch + 4);
    g.save();
    g.translate(14, M.top + box.h / 2);
    g.rotate(-Math.PI / 2);
    g.textAlign = 'center';
    g.fillText(f.y, 0, 0);
    g.restore();
  }

  // The marks of a cell, as pkg/phase draws them (phase.Grid.Marks; bits of marks.go).
  const HATCHED = 1, CORNER = 2, OUTLINE = 4;
  function cellMarks(g, m, x0, y0, w, h, s) {
    if (m & HATCHED) hatch(g, x0, y0, w, h, s.Hatch);
    if (m & OUTLINE) outline(g, x0, y0, w, h);
    if (m & CORNER) corner(g, x0 + w, y0, Math.min(9, 0.6 * Math.min(w, h)), s.Corner);
  }
  // outline: the max_steps mark, inset by 2 px, black with white dashes.
  function outline(g, x0, y0, w, h) {
    const d = Math.min(2, w / 4, h / 4);
    g.save();
    g.lineWidth = 1.6;
    g.strokeStyle = '#000';
    g.strokeRect(x0 + d, y0 + d, w - 2 * d, h - 2 * d);
    g.lineWidth = 0.8;
    g.strokeStyle = '#fff';
    g.setLineDash([2, 2]);
    g.strokeRect(x0 + d, y0 + d, w - 2 * d, h - 2 * d);
    g.restore();
  }
  // corner: the partial-divergence mark, a triangle with a black edge in the top right corner.
  function corner(g, x1, y0, d, color) {
    g.save();
    g.beginPath();
    g.moveTo(x1 - d, y0);
    g.lineTo(x1, y0);
    g.lineTo(x1, y0 + d);
    g.closePath();
    g.fillStyle = color;
    g.fill();
    g.lineWidth = 0.6;
    g.strokeStyle = '#000';
    g.stroke();
    g.restore();
  }
  // boundary: a status map's phase boundary on the cell edges (phase.Boundary).
  function boundary(g, b, nx, ny, cw, ch, s) {
    g.save();
    g.lineWidth = s.BoundaryWidth;
    g.strokeStyle = s.Boundary;
    g.beginPath();
    for (const [ix, iy] of b.V) { const x = M.left + ix * cw, y = M.top + (ny - 1 - iy) * ch; g.moveTo(x, y); g.lineTo(x, y + ch); }
    for (const [ix, iy] of b.H) { const x = M.left + ix * cw, y = M.top + (ny - iy) * ch; g.moveTo(x, y); g.lineTo(x + cw, y); }
    g.stroke();
    g.restore();
  }

  // boundaryLines: a refined status map's boundary, segments in fractions of the data area.
  function boundaryLines(g, segs, box, s) {
    g.save();
    g.lineWidth = s.BoundaryWidth;
    g.strokeStyle = s.Boundary;
    g.beginPath();
    for (const [x0, y0, x1, y1] of segs) { g.moveTo(M.left + x0 * box.w, M.top + (1 - y0) * box.h); g.lineTo(M.left + x1 * box.w, M.top + (1 - y1) * box.h); }
    g.stroke();
    g.restore();
  }

  // The colour bar (none on a status map) and the legend of the marks below it.
  function colourBar(f) {
    const s = f.scale, H = 300, W = 210, bar = s.Bar || [];
    const legend = f.legend || [];
    const top = bar.length ? M.top + H + 16 : M.top;
    const cv = el('canvas', { class: 'cbar', width: W, height: top + 22 * legend.length + 10 });
    const g = cv.getContext('2d');
    g.font = '12px sans-serif';
    if (bar.length) {
      const step = H / bar.length;
      bar.forEach((c, i) => { g.fillStyle = c; g.fillRect(10, M.top + H - (i + 1) * step, 20, step + 0.5); });
      g.fillStyle = '#222';
      g.fillText(fmt(s.Max), 36, M.top + 8);
      g.fillText(fmt(s.Min), 36, M.top + H);
      g.fillText(f.z + (s.Log ? ' (log)' : ''), 10, 16);
    }
    legendRows(g, legend, 10, top, s);
    cv.dataset.legend = JSON.stringify(legend.map((e) => e.Label));
    const div = el('div', { class: 'panel' });
    div.append(cv);
    return div;
  }

  // legendRows draws legend entries from (x, y) down: a swatch and the label.
  function legendRows(g, legend, x, y, s) {
    legend.forEach((e, i) => {
      const y0 = y + 22 * i, w = 20, h = 14;
      g.save();
      switch (e.Kind) {
        case 'fill': g.fillStyle = e.Color; g.fillRect(x, y0, w, h); break;
        case 'hatched': g.fillStyle = s.Bad; g.fillRect(x, y0, w, h); hatch(g, x, y0, w, h, s.Hatch); break;
        case 'novalue': g.fillStyle = s.Bad; g.fillRect(x, y0, w, h); break;
        case 'corner': g.strokeStyle = '#999'; g.strokeRect(x, y0, w, h); corner(g, x + w, y0, 9, s.Corner); break;
        case 'outline': g.strokeStyle = '#999'; g.strokeRect(x, y0, w, h); outline(g, x, y0, w, h); break;
        case 'line': case 'series':
          if (e.Kind === 'line' || e.Line) { g.strokeStyle = e.Color; g.lineWidth = e.Width; g.setLineDash(e.Dash || []); g.beginPath(); g.moveTo(x, y0 + h / 2); g.lineTo(x + w, y0 + h / 2); g.stroke(); }
          if (e.Kind === 'series') dot(g, x + w / 2, y0 + h / 2, e.Color, false);
          break;
        case 'band': g.fillStyle = e.Color; g.fillRect(x, y0, w, h); break;
        case 'hollow': dot(g, x + w / 2, y0 + h / 2, '#000', true); break;
        case 'bad': cross(g, x + w / 2, y0 + h / 2, '#000'); break;
      }
      g.restore();
      g.fillStyle = '#222';
      g.fillText(e.Label, x + w + 6, y0 + 11);
    });
  }

  // cellAt is the cell under the mouse: on a refined grid the last drawn (the finest) whose
  // rectangle holds it.
  function cellAt(ev, p, box, cw, ch) {
    const r = ev.target.getBoundingClientRect();
    const x = ev.clientX - r.left - M.left, y = ev.clientY - r.top - M.top;
    const nx = p.Xs.length, ny = p.Ys.length;
    if (p.Rects) {
      const fx = x / box.w, fy = 1 - y / box.h;
      for (let i = p.Rects.length - 1; i >= 0; i--) {
        const q = p.Rects[i];
        if (fx >= q.X0 && fx < q.X1 && fy >= q.Y0 && fy < q.Y1) return { ix: q.C % nx, iy: Math.floor(q.C / nx), c: q.C };
      }
      return null;
    }
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

  function hover(ev, f, p, box, cw, ch) {
    const c = cellAt(ev, p, box, cw, ch);
    if (!c) { tip.hidden = true; return; }
    const z = p.Z[c.c];
    const params = [[f.x, p.Xs[c.ix]], [f.y, p.Ys[c.iy]]];
    if (f.facet) params.push([f.facet, p.Facet]);
    const rows = tipRows(f, params, z, p.Bad[c.c], p.N[c.c], p.Counts[c.c]);
    rows.push(el('div', { class: 'seeds' }, 'seeds ' + (p.Seeds[c.c] || []).join(', ')));
    rows.push(el('div', { class: 'hint' }, 'click: the points'));
    showTip(ev, rows, {
      x: p.Xs[c.ix], y: p.Ys[c.iy], facet: p.Facet, z: z === null ? 'null' : z, n: p.N[c.c], bad: p.Bad[c.c],
      counts: JSON.stringify(p.Counts[c.c]), seeds: JSON.stringify(p.Seeds[c.c] || []),
    });
  }

  // tipRows are a tooltip's lines: the parameters, --where, the aggregate and the rows by outcome.
  function tipRows(f, params, z, bad, n, counts) {
    const rows = params.map(([k, v]) => el('div', { class: 'param' }, k + ' = ' + v));
    if (f.where) rows.push(el('div', { class: 'where' }, 'where ' + f.where));
    const agg = f.z === 'status' ? 'most common outcome' : f.agg + ' ' + f.z; // a status map's codes are phase.StatusCodes, the order of statuses
    rows.push(el('div', { class: 'agg' }, agg + ' = ' + (z === null ? (bad ? 'not drawn (diverged / failed / non-finite)' : '—') : f.z === 'status' ? f.statuses[z] : z)));
    rows.push(el('div', { class: 'n' }, n + ' rows: ' + f.statuses.map((s, i) => counts[i] + ' ' + s).join(', ')));
    return rows;
  }
  function showTip(ev, rows, data) {
    tip.replaceChildren(...rows);
    for (const k of Object.keys(tip.dataset)) delete tip.dataset[k];
    Object.assign(tip.dataset, data);
    tip.hidden = false;
    tip.style.left = ev.pageX + 14 + 'px';
    tip.style.top = ev.pageY + 14 + 'px';
  }

  // Line plot: one canvas per panel with its legend at the right, in RenderLines' styles.
  const L = { left: 70, right: 16, top: 34, bottom: 46, w: 480, h: 320, legend: 230 };
  function drawLines(f) {
    let drawn = 0;
    const panels = f.lines.map((set) => {
      const W = L.left + L.w + L.right + L.legend, H = L.top + L.h + L.bottom;
      const cv = el('canvas', { class: 'lines', width: W * devicePixelRatio, height: H * devicePixelRatio });
      cv.style.width = W + 'px';
      cv.style.height = H + 'px';
      const g = cv.getContext('2d');
      g.scale(devicePixelRatio, devicePixelRatio);
      g.font = '12px sans-serif';
      const tx = (v) => (set.LogX ? Math.log10(v) : v), ty = (v) => (set.LogY ? Math.log10(v) : v);
      const okY = (v) => v !== null && (!set.LogY || v > 0);
      const xr = range(set.PX.map(tx)), ys = [];
      for (const l of set.Lines) for (const a of [l.Y, l.Lo, l.Hi]) for (const v of a) if (okY(v)) ys.push(ty(v));
      const yr = range(ys);
      const sx = (px) => L.left + ((tx(px) - xr[0]) / (xr[1] - xr[0])) * L.w;
      const sy = (v) => L.top + L.h - ((ty(v) - yr[0]) / (yr[1] - yr[0])) * L.h;
      g.fillStyle = '#222';
      g.textAlign = 'center';
      g.fillText(set.Title + (f.where ? ' · ' + f.where : ''), L.left + L.w / 2, 16);
      lineAxes(g, set, f, xr, yr, sx, sy);
      const hits = [];
      g.save();
      g.beginPath();
      g.rect(L.left, L.top, L.w, L.h);
      g.clip();
      set.Lines.forEach((l) => {
        if (l.Band) { // Hi left to right, then Lo back
          const ks = l.Lo.map((v, k) => k).filter((k) => okY(l.Lo[k]));
          if (ks.length >= 2) {
            g.beginPath();
            ks.forEach((k, i) => (i ? g.lineTo : g.moveTo).call(g, sx(set.PX[k]), sy(l.Hi[k])));
            for (const k of ks.slice().reverse()) g.lineTo(sx(set.PX[k]), sy(l.Lo[k]));
            g.closePath();
            g.fillStyle = l.BandColor;
            g.fill();
          }
        }
        g.strokeStyle = l.Color;
        g.lineWidth = l.Width;
        g.setLineDash(l.Dash || []);
        g.beginPath();
        let open = false; // the line breaks at every x where all runs diverged
        l.Xs.forEach((x, k) => {
          if (l.Bad[k]) { open = false; return; }
          if (!okY(l.Y[k])) return;
          (open ? g.lineTo : g.moveTo).call(g, sx(set.PX[k]), sy(l.Y[k]));
          open = true;
        });
        g.stroke();
        g.setLineDash([]);
      });
      g.restore();
      set.Lines.forEach((l, li) => l.Xs.forEach((x, k) => {
        if (!l.N[k]) return;
        let px, py;
        if (l.Bad[k]) { px = sx(set.PX[k]); py = L.top + 4; cross(g, px, py, l.Color); }
        else if (okY(l.Y[k])) { px = sx(set.PX[k]); py = sy(l.Y[k]); dot(g, px, py, l.Color, l.Partial[k]); }
        else return;
        hits.push({ px, py, li, k });
        drawn++;
      }));
      legendRows(g, set.Legend, L.left + L.w + L.right + 4, L.top, {});
      cv.dataset.legend = JSON.stringify(set.Legend.map((e) => e.Label));
      cv.dataset.points = JSON.stringify(hits.map((h) => [h.li, h.k, h.px, h.py]));
      cv.addEventListener('mousemove', (ev) => hoverLine(ev, f, set, hits));
      cv.addEventListener('mouseleave', () => { tip.hidden = true; });
      const div = el('div', { class: 'panel' });
      div.append(cv);
      return div;
    });
    figBox.replaceChildren(...panels);
    figBox.dataset.cells = drawn;
    figBox.dataset.kind = 'lines';
  }

  // range is [min, max] of vs padded by 4% (a unit around a single value).
  function range(vs) {
    let lo = Math.min(...vs), hi = Math.max(...vs);
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (lo === hi) { const d = Math.abs(lo) * 0.1 || 1; lo -= d; hi += d; }
    const pad = 0.04 * (hi - lo);
    return [lo - pad, hi + pad];
  }

  // lineAxes draws the frame, ticks (decades on a log axis, values on a categorical one) and labels.
  function lineAxes(g, set, f, xr, yr, sx, sy) {
    g.strokeStyle = '#222';
    g.fillStyle = '#222';
    g.strokeRect(L.left, L.top, L.w, L.h);
    const ticks = (r, log) => {
      if (log) { const out = []; for (let e = Math.ceil(r[0]); e <= Math.floor(r[1]); e++) out.push(Math.pow(10, e)); if (out.length >= 2) return out; }
      const lo = log ? Math.pow(10, r[0]) : r[0], hi = log ? Math.pow(10, r[1]) : r[1];
      const step = Math.pow(10, Math.floor(Math.log10((hi - lo) / 4))), n = (hi - lo) / step;
      const st = n > 10 ? step * (n > 20 ? 5 : 2) : step, out = [];
      for (let v = Math.ceil(lo / st) * st; v <= hi; v += st) out.push(+v.toPrecision(12));
      return out;
    };
    g.textAlign = 'center';
    const xt = set.XCat ? set.PX.map((px, i) => [px, set.XLabels ? set.XLabels[i] : fmt(set.Lines[0].Xs[i])]) : ticks(xr, set.LogX).map((v) => [v, fmt(v)]);
    for (const [v, label] of xt) { const x = sx(v); g.beginPath(); g.moveTo(x, L.top + L.h); g.lineTo(x, L.top + L.h + 4); g.stroke(); g.fillText(label, x, L.top + L.h + 16); }
    g.fillText(f.x, L.left + L.w / 2, L.top + L.h + 36);
    g.textAlign = 'right';
    for (const v of ticks(yr, set.LogY)) { const y = sy(v); g.beginPath(); g.moveTo(L.left - 4, y); g.lineTo(L.left, y); g.stroke(); g.fillText(fmt(v), L.left - 6, y + 4); }
    g.save();
    g.translate(14, L.top + L.h / 2);
    g.rotate(-Math.PI / 2);
    g.textAlign = 'center';
    g.fillText(f.z, 0, 0);
    g.restore();
    g.textAlign = 'left';
  }

  // dot is a point of a line: filled, or hollow (a ring with a white centre) when some of its
  // runs diverged, failed or stopped at max_steps.
  function dot(g, x, y, color, hollow) {
    g.fillStyle = color;
    g.beginPath(); g.arc(x, y, 4, 0, 2 * Math.PI); g.fill();
    if (hollow) { g.fillStyle = '#fff'; g.beginPath(); g.arc(x, y, 2, 0, 2 * Math.PI); g.fill(); }
  }
  // cross marks an x where all runs diverged or failed, at the top edge.
  function cross(g, x, y, color) {
    g.save();
    g.strokeStyle = color;
    g.lineWidth = 1.5;
    g.beginPath(); g.moveTo(x - 4, y - 4); g.lineTo(x + 4, y + 4); g.moveTo(x - 4, y + 4); g.lineTo(x + 4, y - 4); g.stroke();
    g.restore();
  }

  // hoverLine shows the point nearest the mouse (within 10 px): its x, series, aggregate and
  // rows by outcome; and the other points drawn at the same place (within 2 px), if any.
  function hoverLine(ev, f, set, hits) {
    const r = ev.target.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
    let best = null, bd = 100;
    for (const h of hits) { const d = (h.px - mx) ** 2 + (h.py - my) ** 2; if (d < bd) { bd = d; best = h; } }
    if (!best) { tip.hidden = true; return; }
    const here = [best, ...hits.filter((h) => h !== best && (h.px - best.px) ** 2 + (h.py - best.py) ** 2 < 4)];
    const rows = [];
    here.forEach((h, i) => {
      const l = set.Lines[h.li], k = h.k;
      const params = [[f.x, l.Xs[k]]];
      if (f.by) params.push([f.by, l.By]);
      if (f.facet) params.push([f.facet, set.Facet]);
      if (i) rows.push(el('hr'));
      rows.push(...tipRows(f, params, l.Y[k], l.Bad[k], l.N[k], l.Counts[k]));
      if (l.Band && l.Lo[k] !== null) rows.push(el('div', { class: 'band' }, 'band ' + l.Lo[k] + ' … ' + l.Hi[k]));
      if (l.Partial[k]) rows.push(el('div', { class: 'hint' }, 'hollow: ' + set.Hollow));
    });
    const l = set.Lines[best.li], k = best.k, z = l.Y[k];
    showTip(ev, rows, {
      x: l.Xs[k], by: l.By, facet: set.Facet, z: z === null ? 'null' : z, n: l.N[k], bad: l.Bad[k], partial: l.Partial[k],
      counts: JSON.stringify(l.Counts[k]), here: JSON.stringify(here.map((h) => [h.li, h.k])),
    });
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
