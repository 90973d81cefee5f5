// Copy buttons beside read-only links (invitations, password resets). Without this script the
// button stays hidden and the link can still be selected and copied by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    const status = button.parentElement.querySelector(".copy-status");
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      let done = false;
      try {
        await navigator.clipboard.writeText(field.value);
        done = true;
      } catch (_) {
        field.focus();
        field.select();
        done = document.execCommand("copy");
      }
      if (status) status.textContent = done ? button.dataset.copied : button.dataset.failed;
    });
  });
})();
