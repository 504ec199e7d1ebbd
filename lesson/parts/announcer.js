export default function ({ data }) {
  let region = document.getElementById("lesson-announcer");
  if (!region) {
    region = document.createElement("div");
    region.id = "lesson-announcer";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    region.setAttribute("aria-atomic", "true");
    region.setAttribute("data-testid", "lessonAnnouncer");
    region.style.cssText = "position:absolute;width:1px;height:1px;margin:-1px;padding:0;" +
      "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0";
    document.body.appendChild(region);
  }
  if (!data || !data.text || region.dataset.said === data.id) return;
  region.dataset.said = data.id;
  // A short pause lets a region that was just created be noticed before its text arrives.
  setTimeout(() => { region.textContent = data.text; }, 150);
}
