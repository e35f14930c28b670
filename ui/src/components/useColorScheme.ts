import { useEffect, useState } from "react";

/** Follows the operating system's light or dark theme, live. */
export function useColorScheme(): "light" | "dark" {
  const query = typeof window !== "undefined" && window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const update = (e: MediaQueryListEvent) => setDark(e.matches);
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, [query]);
  return dark ? "dark" : "light";
}
