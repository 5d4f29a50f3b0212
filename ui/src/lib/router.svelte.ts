// A small hash router: the app is one window with a handful of screens, so a route is just a
// name and its parameters, read from and written to `location.hash` (links work, Back works).

export type Route =
  | { name: "today" }
  | { name: "households" }
  | { name: "new" }
  | { name: "household"; id: string; tab: string | null }
  | { name: "visit"; id: string }
  | { name: "plan"; id: string }
  | { name: "review" }
  | { name: "review-plan"; planId: string }
  | { name: "settings" };

export function parse(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const [a, b, c, d] = parts;
  switch (a) {
    case "households":
      if (b === "new") return { name: "new" };
      if (b && c === "visit") return { name: "visit", id: b };
      if (b && c === "plan") return { name: "plan", id: b };
      // A section of the household page: #/households/<id>/section/<tab>.
      if (b && c === "section" && d) return { name: "household", id: b, tab: d };
      if (b) return { name: "household", id: b, tab: null };
      return { name: "households" };
    case "review":
      return b ? { name: "review-plan", planId: b } : { name: "review" };
    case "settings":
      return { name: "settings" };
    default:
      return { name: "today" };
  }
}

export function href(r: Route): string {
  switch (r.name) {
    case "today":
      return "#/today";
    case "households":
      return "#/households";
    case "new":
      return "#/households/new";
    case "household":
      return `#/households/${encodeURIComponent(r.id)}${r.tab ? "/section/" + encodeURIComponent(r.tab) : ""}`;
    case "visit":
      return `#/households/${encodeURIComponent(r.id)}/visit`;
    case "plan":
      return `#/households/${encodeURIComponent(r.id)}/plan`;
    case "review":
      return "#/review";
    case "review-plan":
      return `#/review/${encodeURIComponent(r.planId)}`;
    case "settings":
      return "#/settings";
  }
}

class Router {
  route = $state<Route>(parse(typeof location === "undefined" ? "" : location.hash));

  constructor() {
    if (typeof window !== "undefined") {
      window.addEventListener("hashchange", () => {
        this.route = parse(location.hash);
      });
    }
  }

  go(r: Route) {
    const h = href(r);
    if (location.hash === h) this.route = parse(h);
    else location.hash = h;
  }
}

export const router = new Router();
