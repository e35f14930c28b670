import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
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
  box.textContent = `BERT Studio could not draw this page: ${error instanceof Error ? error.message : String(error)}. Restart the app; if it happens again, report this message.`;
  root.appendChild(box);
}

createRoot(document.getElementById("root")!, { onUncaughtError: showFatal }).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
