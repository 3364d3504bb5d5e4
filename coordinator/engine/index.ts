// The engine's one import surface for the runtime (coordinator/*.ts): the pure reconcile, the
// contract it answers with (types.ts) and the Workflow resource it reads and writes (workflow.ts).
// Everything else in this folder is the engine's own (README.md: Rooms).
export { reconcile } from "./reconcile.ts";
export type { Action, EngineConfig, ForeignObject, ReconcileInput, ReconcileResult } from "./types.ts";
export type * from "./workflow.ts";
export { isWorkflowDone } from "./workflow.ts";
export { referencedTemplates } from "./refs/resolve.ts";
export { artifactRepositoryConfigMaps, checkRepository } from "./artifacts/repository.ts";
