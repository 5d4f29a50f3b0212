// Who is working at this computer. Until sign-in exists (a later issue) the person picks
// themselves from the staff list; the choice is kept in this webview's local storage.
import type { Candidate } from "./bindings/Candidate";

const KEY = "yihu.staff";

function load(): Candidate | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Candidate;
    return typeof v?.id === "string" ? v : null;
  } catch {
    return null;
  }
}

class Session {
  staff = $state<Candidate | null>(load());

  set(staff: Candidate | null) {
    this.staff = staff;
    try {
      if (staff) localStorage.setItem(KEY, JSON.stringify(staff));
      else localStorage.removeItem(KEY);
    } catch {
      // Storage may be unavailable; the choice then lasts until the window closes.
    }
  }

  get isCaseworker(): boolean {
    return this.staff?.role === "caseworker";
  }
    get isSupervisor(): boolean {
    return this.staff?.role === "supervisor";
  }
  get isAdmin(): boolean {
    return this.staff?.role === "admin";
  }
  get canManage(): boolean {
    return this.staff?.role === "supervisor" || this.staff?.role === "admin";
  }
}

export const session = new Session();
