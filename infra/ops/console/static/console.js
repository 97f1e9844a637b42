// OrderFlow console: the live parts of server-rendered pages, and nothing else.
// An element with data-live-src is fetched again every data-live-every ms and its content
// replaced; polling ends once the new content holds [data-live-final] (the execution ended).
"use strict";

(function () {
  const offline = document.getElementById("offline");

  function live(element) {
    const every = Number(element.dataset.liveEvery || 2000);
    async function tick() {
      if (!document.hidden) {
        try {
          const answer = await fetch(element.dataset.liveSrc, { cache: "no-store" });
          if (!answer.ok) throw new Error(String(answer.status));
          const html = await answer.text();
          if (html !== element.dataset.liveSeen) {
            element.dataset.liveSeen = html;
            element.innerHTML = html;
            highlight(selected);
          }
          if (offline) offline.hidden = true;
        } catch (error) {
          if (offline) offline.hidden = false;
        }
      }
      if (element.querySelector("[data-live-final]")) {
        element.dataset.liveDone = "true";
      } else {
        setTimeout(tick, every);
      }
    }
    if (element.querySelector("[data-live-final]")) {
      element.dataset.liveDone = "true";
    } else {
      setTimeout(tick, every);
    }
  }

  // A state picked in the graph highlights its rows in the timeline (and the other way).
  let selected = null;
  function highlight(state) {
    document.querySelectorAll("[data-state]").forEach(function (el) {
      el.classList.toggle("picked", state !== null && el.dataset.state === state);
    });
  }
  document.addEventListener("click", function (event) {
    const target = event.target.closest("[data-state]");
    if (!target || !target.dataset.state || event.target.closest("a, summary")) return;
    selected = selected === target.dataset.state ? null : target.dataset.state;
    highlight(selected);
  });

  document.querySelectorAll("[data-live-src]").forEach(live);
})();
