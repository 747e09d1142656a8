import { defineConfig } from "vitest/config";

// The API serves viewer/dist at "/"; `npm run dev` proxies /api to a local `twin serve`.
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
    sourcemap: false,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8765" },
  },
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
  },
});
