import { App } from "./app";
import "./style.css";

const root = document.getElementById("app");
if (!root) throw new Error("no #app element");
const app = new App(root);
(window as unknown as { __twin: Record<string, unknown> }).__twin = app.debugHandle();
void app.start();
