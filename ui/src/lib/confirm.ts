// Asking "are you sure?" with the system's own dialog (Tauri dialog plugin), falling back to the
// webview's confirm() where the plugin is not available.
import { confirm } from "@tauri-apps/plugin-dialog";

export async function ask(message: string): Promise<boolean> {
  try {
    return await confirm(message, { kind: "warning" });
  } catch {
    return window.confirm(message);
  }
}
