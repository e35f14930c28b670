// Where the keyboard goes when the page changes under it. A control that disappears with the
// content it was in (the step's "Next", a card's "Classify") leaves the focus on the page's
// body, and the next Tab starts again from the top of the window; a screen reader says nothing
// of the new content. These move the focus to the new content's heading instead.
import { useEffect, useRef, type RefObject } from "react";

/** Focuses `element` (a heading, made focusable from script only: tabIndex -1). */
export function focusHeading(element: HTMLElement | null | undefined, scroll = true) {
  if (!element) return;
  if (!element.hasAttribute("tabindex")) element.tabIndex = -1;
  element.focus({ preventScroll: !scroll });
}

/** When `key` changes (another view, another state of a card) and the focused control went
 * away with the old content, the focus goes to `target()`. Focus still on a control of the page
 * (a section button, a field being typed in) is left where it is. */
export function useFocusAfterChange(target: () => HTMLElement | null | undefined, key: unknown) {
  const previous = useRef(key);
  const targetRef = useRef(target);
  targetRef.current = target;
  useEffect(() => {
    if (previous.current === key) return;
    previous.current = key;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    focusHeading(targetRef.current());
  }, [key]);
}

/** A result that opens below what asked for it (a comparison, an error inspection): brought
 * into view, and the focus taken to its heading, so that Tab continues in it. */
export function useRevealOnChange(panel: RefObject<HTMLElement | null>, key: unknown) {
  useEffect(() => {
    panel.current?.scrollIntoView?.({ behavior: "smooth", block: "start" });
    focusHeading(panel.current?.querySelector<HTMLElement>("h2, h3"), false);
  }, [panel, key]);
}
