/**
 * Upload an IFC model (admins): a modal with a file picker, the background ingest's progress stage by
 * stage, and what it did. Emits "rooms" once the rooms are in the ledger while the context is still
 * being meshed (the viewer can show them meanwhile), and "done" with the ingest's result.
 */
import type { ApiClient } from "../api/client";
import type { IngestResult, Job } from "../api/types";
import type { I18n, MessageKey } from "../i18n";
import { Disposer, emit, h, listen } from "./dom";

/** How often a running job is asked how far it has come (ms). */
const POLL_MS = 400;
/** The stage a running ingest reports once its rooms are in the ledger (their transaction committed). */
const CONTEXT_STAGE = "context";

type Phase = "idle" | "sending" | "running" | "done" | "failed";

export class UploadPanel extends EventTarget {
  private readonly root: HTMLDivElement;
  private readonly disposer = new Disposer();
  private phase: Phase = "idle";
  private filename = "";
  private job: Job | null = null;
  private error = "";
  private disposed = false;

  constructor(
    parent: HTMLElement,
    private readonly api: Pick<ApiClient, "uploadModel" | "job">,
    private readonly i18n: I18n,
    private readonly wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    super();
    this.root = h("div", { class: "modal upload", id: "upload", hidden: true });
    parent.append(this.root);
  }

  open(): void {
    if (this.phase === "done" || this.phase === "failed") this.phase = "idle";
    this.render();
    this.root.hidden = false;
  }

  close(): void {
    this.root.hidden = true;
  }

  /** Send `file` and follow its ingest to the end; resolves with the finished job (null if it could not be sent). */
  async upload(file: Blob, filename: string): Promise<Job | null> {
    this.phase = "sending";
    this.filename = filename;
    this.job = null;
    this.render();
    let jobId: number;
    try {
      jobId = (await this.api.uploadModel(file, filename)).job_id;
    } catch (failure) {
      return this.fail(failure);
    }
    this.phase = "running";
    let roomsSaid = false;
    for (;;) {
      let job: Job;
      try {
        job = await this.api.job(jobId);
      } catch (failure) {
        return this.fail(failure);
      }
      this.job = job;
      if (!roomsSaid && job.status === "running" && job.stage === CONTEXT_STAGE) { // a job seen done says so once, with "done"
        roomsSaid = true;
        emit(this, "rooms", job);
      }
      if (job.status === "done" || job.status === "failed") {
        this.phase = job.status;
        this.error = job.error ?? "";
        this.render();
        if (job.status === "done") emit<IngestResult | null>(this, "done", job.result);
        return job;
      }
      this.render();
      if (this.disposed) return null;
      await this.wait(POLL_MS);
    }
  }

  private fail(failure: unknown): null {
    this.phase = "failed";
    this.error = failure instanceof Error ? failure.message : String(failure);
    this.render();
    return null;
  }

  render(): void {
    const t = this.i18n.t.bind(this.i18n);
    const busy = this.phase === "sending" || this.phase === "running";
    const input = h("input", { type: "file", accept: ".ifc,.IFC", id: "upload-file", required: true, disabled: busy });
    const form = h(
      "form",
      { class: "modal-box" },
      h("h2", {}, t("upload.title")),
      h("p", { class: "hint" }, t("upload.hint")),
      h("label", {}, t("upload.file"), input),
      this.progress(),
      h("p", { class: this.phase === "failed" ? "error" : "result", id: "upload-result", role: "status", "data-phase": this.phase }, this.outcome()),
      h("div", { class: "buttons" },
        h("button", { type: "submit", class: "primary", disabled: busy }, t("upload.submit")),
        h("button", { type: "button", "data-action": "close" }, t("upload.close"))),
    );
    this.disposer.dispose();
    this.disposer.add(listen(form, "submit", (event) => {
      event.preventDefault();
      const file = input.files?.[0];
      if (file) void this.upload(file, file.name);
    }));
    this.disposer.add(listen(form, "click", (event) => {
      if ((event.target as HTMLElement).closest("[data-action=close]")) this.close();
    }));
    this.root.replaceChildren(form);
  }

  /** The job's stage as a bar and a line ("房间 12/132"), while it runs. */
  private progress(): HTMLElement | null {
    const t = this.i18n.t.bind(this.i18n);
    if (this.phase === "sending") return h("p", { class: "stage" }, t("upload.sending", { name: this.filename }));
    if (this.phase !== "running" || !this.job) return null;
    const { stage, done, total, status } = this.job;
    if (status === "queued" || !stage) return h("p", { class: "stage" }, t("upload.queued"));
    const label = t(`upload.stage.${stage}` as MessageKey);
    const after = stage === CONTEXT_STAGE ? ` — ${t("upload.roomsReady")}` : "";
    return h("div", { class: "stage", id: "upload-stage", "data-stage": stage },
      h("progress", { max: total || 1, value: done ?? 0 }),
      h("span", {}, `${label} ${done ?? 0}/${total ?? "?"}${after}`));
  }

  private outcome(): string {
    const t = this.i18n.t.bind(this.i18n);
    const name = this.filename;
    if (this.phase === "failed") return t("upload.failed", { name, message: this.error });
    const result = this.job?.result;
    if (this.phase !== "done" || !result) return "";
    if (result.skipped) return t("upload.skipped", { name, version: result.version });
    const done = t("upload.done", {
      name, version: result.version, rooms: result.rooms, added: result.rooms_added, updated: result.rooms_updated,
      retired: result.rooms_retired, carried: result.rooms_carried,
    });
    return result.replaces_every_room ? `${done} ${t("upload.replacedEveryRoom", { before: result.version - 1 })}` : done;
  }

  dispose(): void {
    this.disposed = true;
    this.disposer.dispose();
    this.root.remove();
  }
}
