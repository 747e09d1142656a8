// Time web-ifc on IFC files: open + all meshes, and open + room (IFCSPACE) meshes.
// Usage: node time.mjs [--repeat N] FILE...   Prints one JSON object: {version, files: {path: {...}}}.
// Each pass reads the file from disk, opens it, streams the meshes and copies every placed
// geometry's vertex and index arrays out of the WASM heap (as twin touches every buffer), then
// closes the model. Seconds are medians over --repeat passes, after one untimed pass over every
// file (so the first file is not timed while V8 is still compiling web-ifc's code).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as WebIFC from "web-ifc";

const HERE = dirname(fileURLToPath(import.meta.url));
const VERSION = JSON.parse(readFileSync(join(HERE, "node_modules/web-ifc/package.json"), "utf8")).version;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function pass(api, path, types) {
  const started = process.hrtime.bigint();
  const model = api.OpenModel(new Uint8Array(readFileSync(path)), { COORDINATE_TO_ORIGIN: false });
  let meshes = 0;
  let triangles = 0;
  const touch = (mesh) => {
    meshes += 1;
    const placed = mesh.geometries;
    for (let i = 0; i < placed.size(); i++) {
      const geometry = api.GetGeometry(model, placed.get(i).geometryExpressID);
      const vertices = api.GetVertexArray(geometry.GetVertexData(), geometry.GetVertexDataSize());
      const indices = api.GetIndexArray(geometry.GetIndexData(), geometry.GetIndexDataSize());
      triangles += indices.length / 3;
      if (vertices.length === 0) triangles += 0;
      geometry.delete();
    }
  };
  if (types) api.StreamAllMeshesWithTypes(model, types, touch);
  else api.StreamAllMeshes(model, touch);
  api.CloseModel(model);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, meshes, triangles };
}

async function main() {
  const args = process.argv.slice(2);
  let repeat = 3;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--repeat") repeat = Number(args[++i]);
    else files.push(args[i]);
  }
  const api = new WebIFC.IfcAPI();
  await api.Init(undefined, true); // single-threaded: like-for-like with one Python process per stage
  const out = { version: VERSION, repeat, files: {} };
  const modes = [["all", null], ["rooms", [WebIFC.IFCSPACE]]];
  for (const path of files) for (const [, types] of modes) pass(api, path, types); // warm-up, untimed
  for (const path of files) {
    const result = {};
    for (const [key, types] of modes) {
      const first = pass(api, path, types);
      const runs = [];
      for (let i = 0; i < repeat; i++) runs.push(pass(api, path, types));
      result[key] = {
        first_seconds: first.seconds,
        seconds: median(runs.map((r) => r.seconds)),
        runs: runs.map((r) => r.seconds),
        meshes: first.meshes,
        triangles: first.triangles,
      };
    }
    out.files[path] = result;
  }
  process.stdout.write("\n" + JSON.stringify(out) + "\n"); // last line; web-ifc may log to stdout before it
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
