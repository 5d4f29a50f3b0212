// Who is signed in, as the shell reports it. The shell holds the session (the database key and
// the person): this is only the window's copy, to show the name and hide what the role cannot
// do. It also watches for idleness: after the configured minutes without a key press or a
// click the window locks itself (and the shell refuses commands past that time anyway).
import { auth, type SignedIn } from "./api";

/** How often a busy person's activity is reported to the shell (it only needs to know they
 * are there before the lock time runs out). */
const TOUCH_EVERY_MS = 60_000;
const ACTIVITY = ["pointerdown", "keydown", "wheel", "touchstart"] as const;

class Session {
  staff = $state<SignedIn | null>(null);
  private lastActivity = Date.now();
  private lastTouch = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private onLock: (() => void) | null = null;

  set(staff: SignedIn | null) {
    this.staff = staff;
    this.lastActivity = Date.now();
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

  private activity = () => {
    this.lastActivity = Date.now();
    if (this.staff && this.lastActivity - this.lastTouch > TOUCH_EVERY_MS) {
      this.lastTouch = this.lastActivity;
      auth.touch().catch(() => {
        // A refused touch means the shell already locked: the next command shows sign-in.
      });
    }
  };

  /** Watch for idleness; `onLock` runs when the window locks itself. */
  watch(onLock: () => void) {
    this.onLock = onLock;
    for (const ev of ACTIVITY) window.addEventListener(ev, this.activity, { passive: true, capture: true });
    this.timer ??= setInterval(() => {
      const minutes = this.staff?.idle_lock_minutes;
      if (!minutes) return;
      if (Date.now() - this.lastActivity >= minutes * 60_000) void this.lock();
    }, 1000);
  }

  /** Lock now: the shell forgets the person; the window shows sign-in. */
  async lock() {
    this.staff = null;
    try {
      await auth.lock();
    } finally {
      this.onLock?.();
    }
  }
}

export const session = new Session();
