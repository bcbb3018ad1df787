// The roll call without reloading: ticks are sent in the background and the list is refreshed
// every second, so a tick made on one phone shows on every other within two seconds. Without
// this script every tick is an ordinary form and the page reloads.
(function () {
  "use strict";
  const roll = document.getElementById("roll");
  if (!roll) { return; }
  const summary = document.getElementById("summary");
  let changes = -1;

  function show(state) {
    if (state.closed) { window.location.reload(); return; }
    summary.textContent = state.summary;
    for (const item of roll.querySelectorAll("li.person")) {
      const text = state.ticks[item.dataset.visit];
      if (text === undefined) { continue; }
      const ticked = text !== "";
      item.classList.toggle("ticked", ticked);
      const label = item.querySelector(".tick-state");
      label.textContent = ticked ? "✓ " + text : roll.dataset.notYet;
      const form = item.querySelector("form");
      if (form) {
        form.elements.accounted.value = ticked ? "0" : "1";
        const button = form.querySelector("button");
        button.textContent = ticked ? "↺" : "✓";
        button.classList.toggle("secondary", ticked);
        const name = item.querySelector(".name").textContent;
        button.setAttribute("aria-label", (ticked ? roll.dataset.unmark : roll.dataset.mark).replace("{name}", name));
      }
    }
  }

  async function refresh() {
    try {
      const answer = await fetch(roll.dataset.state, {headers: {"Accept": "application/json"}, credentials: "same-origin"});
      if (answer.ok) {
        const state = await answer.json();
        if (state.changes !== changes) { changes = state.changes; show(state); }
      }
    } catch (error) { /* offline for a moment: the next refresh tries again */ }
  }

  roll.addEventListener("submit", async function (event) {
    const form = event.target.closest("form.tick-form");
    if (!form) { return; }
    event.preventDefault();
    const body = new URLSearchParams(new FormData(form));
    await fetch(form.action, {method: "POST", body: body, headers: {"Accept": "application/json"}, credentials: "same-origin"});
    changes = -1;
    refresh();
  });
  window.setInterval(refresh, 1000);
})();
