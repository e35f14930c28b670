import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { i18n } from "./i18n";
import { App } from "./App";
import "./styles.css";

/** A page that failed to draw says so in words, instead of staying blank. */
function showFatal(error: unknown) {
  const root = document.getElementById("root")!;
  root.innerHTML = "";
  const box = document.createElement("div");
  box.className = "error-panel";
  box.setAttribute("role", "alert");
  box.setAttribute("data-testid", "fatal-error");
  box.textContent = i18n.t("app.fatal", { reason: error instanceof Error ? error.message : String(error) });
  root.appendChild(box);
}

createRoot(document.getElementById("root")!, { onUncaughtError: showFatal }).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
