import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The UI is served by the Tauri shell from `dist/` (custom protocol); `npm run dev` serves it on
// a fixed port for `tauri dev`. Nothing is fetched from a remote origin.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  // The dashboard's chunk carries ECharts (about 550 kB, loaded from the app's own files only
  // when the dashboard is first shown), hence the higher warning limit.
  build: { target: "safari15", outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  test: { include: ["src/**/*.test.ts"] },
});
