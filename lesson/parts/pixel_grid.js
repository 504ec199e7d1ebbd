export default function ({ data, parentElement, setStateValue }) {
  const n = data.size;
  let box = parentElement.querySelector(".lesson-grid-box");
  if (box) return;  // built once: the grid keeps its own pixels between reruns
  box = document.createElement("div");
  box.className = "lesson-grid-box";
  const help = document.createElement("p");
  help.id = "lesson-grid-help";
  help.textContent = data.help;
  help.style.cssText = "font-size:0.9rem;margin:0 0 0.5rem";
  const grid = document.createElement("div");
  grid.className = "lesson-grid";
  grid.setAttribute("role", "grid");
  grid.setAttribute("aria-label", data.label);
  grid.setAttribute("aria-describedby", help.id);
  grid.setAttribute("data-testid", "lessonPixelGrid");
  const ink = Array.from(data.pixels || "0".repeat(n * n), (c) => c === "1");
  const cells = [];
  let here = [Math.floor(n / 2), Math.floor(n / 2)], timer = null, painting = null;
  const status = document.createElement("span");
  status.setAttribute("aria-hidden", "true");  // the cells say the same to a screen reader
  const send = () => {  // after a short pause: one rerun for a burst of keys or a stroke
    clearTimeout(timer);
    timer = setTimeout(() => setStateValue("pixels", ink.map((v) => (v ? "1" : "0")).join("")), 350);
  };
  const show = (i) => {
    cells[i].setAttribute("aria-selected", ink[i] ? "true" : "false");
    const inked = ink.filter(Boolean).length;
    status.textContent = `row ${here[0]}, column ${here[1]} · ${inked} pixel${inked === 1 ? "" : "s"} inked`;
  };
  const set = (i, value) => { if (ink[i] !== value) { ink[i] = value; show(i); send(); } };
  const move = (r, c, focus = true) => {
    const old = cells[here[0] * n + here[1]];
    old.tabIndex = -1; old.classList.remove("here");
    here = [Math.min(n - 1, Math.max(0, r)), Math.min(n - 1, Math.max(0, c))];
    const cell = cells[here[0] * n + here[1]];
    cell.tabIndex = 0;
    if (focus) cell.focus(); else cell.classList.add("here");
    show(here[0] * n + here[1]);
  };
  for (let r = 0; r < n; r++) {
    const row = document.createElement("div");
    row.setAttribute("role", "row");
    for (let c = 0; c < n; c++) {
      const i = r * n + c, cell = document.createElement("div");
      cell.setAttribute("role", "gridcell");
      cell.setAttribute("aria-label", `row ${r}, column ${c}`);
      cell.tabIndex = -1;
      cell.dataset.row = r; cell.dataset.col = c;
      cell.addEventListener("pointerdown", (e) => {
        e.preventDefault(); painting = !ink[i]; set(i, painting); move(r, c);
      });
      cell.addEventListener("pointerenter", () => { if (painting !== null) set(i, painting); });
      row.appendChild(cell); cells.push(cell);
    }
    grid.appendChild(row);
  }
  window.addEventListener("pointerup", () => { painting = null; });
  grid.addEventListener("keydown", (e) => {
    const steps = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (steps[e.key]) {
      e.preventDefault();
      move(here[0] + steps[e.key][0], here[1] + steps[e.key][1]);
      if (e.shiftKey) set(here[0] * n + here[1], true);  // Shift + arrow: draw a line
    } else if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      const i = here[0] * n + here[1];
      set(i, !ink[i]);
    }
  });
  const clear = document.createElement("button");
  clear.type = "button";
  clear.textContent = "Clear the grid";
  clear.addEventListener("click", () => { ink.fill(false); cells.forEach((_, i) => show(i)); send(); });
  const bar = document.createElement("div");
  bar.className = "lesson-grid-bar";
  bar.append(clear, status);
  box.append(help, grid, bar);
  parentElement.appendChild(box);
  cells.forEach((_, i) => show(i));
  move(here[0], here[1], false);
}
