// The convolution player: a window slides over an input grid and an output grid fills in,
// animated in the browser (no server round trip per step). Frames come from the lesson's core.
const SPEEDS = [1, 2, 5, 10, 20, 50];

function paint(ctx, z, w, h, px, lo, hi, palette) {
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const t = Math.max(0, Math.min(255, Math.round(((z[r * w + c] - lo) / (hi - lo || 1)) * 255)));
      ctx.fillStyle = palette[t];
      ctx.fillRect(c * px, r * px, px, px);
    }
  }
}

function element(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

function build(root, d) {
  const s = { d, pos: 0, playing: false, visible: false, last: null, carry: 0, drawn: 0,
              raf: 0 };
  root.querySelector(".lesson-player")?.remove();  // keep the component's own <style>
  const box = element("div", { class: "lesson-player", "data-testid": "lessonPlayer" });
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", d.label);
  const stage = element("div", { class: "lesson-player-stage" });
  const make = (grid, title, alt) => {
    const fig = element("figure");
    fig.append(element("figcaption", {}, title));
    const canvas = element("canvas", { width: grid.w * grid.px, height: grid.h * grid.px,
                                       role: "img", "aria-label": alt });
    fig.append(canvas);
    stage.append(fig);
    return canvas;
  };
  s.inCanvas = make(d.input, d.input.title, d.input.alt);
  s.outCanvas = make(d.output, d.output.title, d.output.alt);
  s.outCanvas.style.cursor = "pointer";
  s.table = element("div", { class: "lesson-player-sum" });
  stage.append(s.table);
  // the input never changes: paint it once, off screen, and copy it at each frame
  s.inBase = document.createElement("canvas");
  s.inBase.width = s.inCanvas.width; s.inBase.height = s.inCanvas.height;
  paint(s.inBase.getContext("2d"), d.input.z, d.input.w, d.input.h, d.input.px,
        d.input.lo, d.input.hi, d.input.palette);
  const bar = element("div", { class: "lesson-player-bar" });
  s.back = element("button", { type: "button", "aria-label": "Step back" }, "◀ Step");
  s.play = element("button", { type: "button", class: "lesson-player-play" }, "Play");
  s.next = element("button", { type: "button", "aria-label": "Step forward" }, "Step ▶");
  const speedLabel = element("label", {}, "Speed ");
  s.speed = element("select", { "aria-label": "Speed, positions per second" });
  for (const v of SPEEDS) s.speed.append(element("option", { value: v }, `${v} per second`));
  s.speed.value = String(d.speed);
  speedLabel.append(s.speed);
  const scrubLabel = element("label", { class: "lesson-player-scrub" }, "Position ");
  s.scrub = element("input", { type: "range", min: 0, max: d.output.w * d.output.h - 1, step: 1,
                               value: 0, "aria-label": "Position" });
  scrubLabel.append(s.scrub);
  s.status = element("span", { class: "lesson-player-status" });
  bar.append(s.back, s.play, s.next, speedLabel, scrubLabel, s.status);
  box.append(bar, stage);
  root.append(box);
  s.box = box;

  const total = d.output.w * d.output.h;
  s.go = (p) => { s.pos = Math.max(0, Math.min(total - 1, p)); draw(s); };
  s.setPlaying = (on) => {
    s.playing = on;
    s.play.textContent = on ? "Pause" : "Play";
    s.play.setAttribute("aria-pressed", on ? "true" : "false");
    box.dataset.playing = on ? "true" : "false";
    s.last = null; s.carry = 0;
    if (on && s.pos >= total - 1) s.go(0);  // played to the end: start again
    s.wake();
  };
  s.play.addEventListener("click", () => s.setPlaying(!s.playing));
  s.back.addEventListener("click", () => { s.setPlaying(false); s.go(s.pos - 1); });
  s.next.addEventListener("click", () => { s.setPlaying(false); s.go(s.pos + 1); });
  s.scrub.addEventListener("input", () => { s.setPlaying(false); s.go(Number(s.scrub.value)); });
  s.speed.addEventListener("change", () => { s.last = null; s.carry = 0; });
  const cellAt = (e) => {
    const rect = s.outCanvas.getBoundingClientRect();
    const c = Math.floor(((e.clientX - rect.left) / rect.width) * d.output.w);
    const r = Math.floor(((e.clientY - rect.top) / rect.height) * d.output.h);
    return Math.min(d.output.h - 1, Math.max(0, r)) * d.output.w + Math.min(d.output.w - 1, Math.max(0, c));
  };
  s.outCanvas.addEventListener("click", (e) => { s.setPlaying(false); s.go(cellAt(e)); });
  // while paused, hovering over a cell shows its window on the input
  s.outCanvas.addEventListener("mousemove", (e) => { if (!s.playing) s.go(cellAt(e)); });
  // Frames are asked for only while the player plays on screen: a player scrolled out of
  // view (or paused) leaves the browser free for the rest of the page, e.g. a click above it.
  const tick = (now) => {
    s.raf = 0;
    if (!s.playing || !s.visible) { s.last = null; return; }  // asleep until woken
    if (s.last !== null) {
      s.carry += ((now - s.last) / 1000) * Number(s.speed.value);
      const steps = Math.floor(s.carry);
      if (steps > 0) {
        s.carry -= steps;
        s.go(Math.min(total - 1, s.pos + steps));
        if (s.pos >= total - 1) s.setPlaying(false);
      }
    }
    s.last = now;
    s.raf = requestAnimationFrame(tick);
  };
  s.wake = () => {
    if (!s.raf && s.playing && s.visible) s.raf = requestAnimationFrame(tick);
  };
  s.observer = new IntersectionObserver((seen) => {
    s.visible = seen[seen.length - 1].isIntersecting;
    s.wake();
  });  // observed from the component's function, which also runs it again after a cleanup
  s.stop = () => { cancelAnimationFrame(s.raf); s.raf = 0; s.observer.disconnect(); };
  const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  s.setPlaying(!reduce);  // reduced motion: start paused, step by hand
  draw(s);
  return s;
}

function fmt(v) {
  return (Math.abs(v) < 0.0005 ? 0 : v).toFixed(3).replace("-", "−");
}

function draw(s) {
  const { d, pos } = s;
  const { input: i, output: o } = d;
  const r = Math.floor(pos / o.w), c = pos % o.w;
  // input with the window outlined
  const ic = s.inCanvas.getContext("2d");
  ic.drawImage(s.inBase, 0, 0);
  ic.strokeStyle = "#e69f00"; ic.lineWidth = 3;
  ic.strokeRect(c * d.stride * i.px + 1.5, r * d.stride * i.px + 1.5,
                d.size * i.px - 3, d.size * i.px - 3);
  // output filled up to this position; the rest light, the current cell outlined
  const oc = s.outCanvas.getContext("2d");
  oc.fillStyle = "#eef2f5";
  oc.fillRect(0, 0, s.outCanvas.width, s.outCanvas.height);
  const filled = o.z.slice(0, pos + 1);
  for (let p = 0; p <= pos; p++) {
    const t = Math.max(0, Math.min(255, Math.round(((filled[p] - o.lo) / (o.hi - o.lo || 1)) * 255)));
    oc.fillStyle = o.palette[t];
    oc.fillRect((p % o.w) * o.px, Math.floor(p / o.w) * o.px, o.px, o.px);
  }
  oc.strokeStyle = "#e69f00"; oc.lineWidth = 3;
  oc.strokeRect(c * o.px + 1.5, r * o.px + 1.5, o.px - 3, o.px - 3);
  // the current cell's arithmetic, as text
  const n = d.size * d.size, cell = d.cells.slice(pos * n, pos * n + n);
  let rows = "";
  for (let a = 0; a < d.size; a++) {
    rows += "<tr>";
    for (let b = 0; b < d.size; b++) {
      const k = a * d.size + b;
      rows += d.mode === "conv"
        ? `<td>${fmt(i.z[(r + a) * i.w + c + b])} × ${fmt(d.weights[k])}<br><b>${fmt(cell[k])}</b></td>`
        : `<td${cell[k] === o.z[pos] ? ' class="top"' : ""}>${fmt(cell[k])}</td>`;
    }
    rows += "</tr>";
  }
  const sum = d.mode === "conv"
    ? `sum ${fmt(d.sums[pos])} + bias ${fmt(d.bias)} = ${fmt(d.sums[pos] + d.bias)}; ` +
      `${d.activation} → <b>${fmt(o.z[pos])}</b>`
    : `max = <b>${fmt(o.z[pos])}</b>`;
  s.table.innerHTML =
    `<table><caption>${d.cellWord} row ${r}, column ${c}</caption>${rows}</table><p>${sum}</p>`;
  s.scrub.value = String(pos);
  const where = `position ${pos + 1} of ${o.w * o.h}: row ${r}, column ${c}`;
  s.status.textContent = where;
  s.scrub.setAttribute("aria-valuetext", where);
  s.box.dataset.position = String(pos);
  s.box.dataset.drawn = String(++s.drawn);  // how many frames were painted: the test's speed
}

export default function ({ data: sent, parentElement }) {
  // The server sends the frames as JSON bytes (encoded once for a whole class), not parsed.
  const data = sent instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(sent)) : sent;
  let s = parentElement.__player;
  if (!s || s.d.id !== data.id) {
    s?.stop();
    s = parentElement.__player = build(parentElement, data);
  }
  s.observer.observe(s.box);  // its first report says whether the player is on screen
  return s.stop;
}
