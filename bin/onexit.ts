// The one image's entrypoint: `onexit coordinator|webhook|sidecar|output-placeholders|artifacts-init|artifact-gc`.
import { SIDECAR_COMMAND } from "../common/names.ts";
import { PLACEHOLDERS_COMMAND } from "../common/output-placeholder.ts";
import { ARTIFACTS_INIT_COMMAND } from "../common/artifact-plan.ts";
import { ARTIFACT_GC_COMMAND } from "../common/artifact-gc.ts";

const components: Record<string, () => Promise<{ main: () => Promise<void> }>> = {
  coordinator: () => import("../coordinator/main.ts"),
  webhook: () => import("../webhook/main.ts"),
  [SIDECAR_COMMAND]: () => import("../sidecar/main.ts"),
  [PLACEHOLDERS_COMMAND]: () => import("../sidecar/output-placeholders.ts"),
  [ARTIFACTS_INIT_COMMAND]: () => import("../sidecar/artifacts-init.ts"),
  [ARTIFACT_GC_COMMAND]: () => import("../sidecar/artifact-gc.ts"),
};

const name = process.argv[2] ?? "";
const load = components[name];
if (load === undefined) {
  console.error(`usage: onexit ${Object.keys(components).join("|")}`);
  process.exit(2);
}
const component = await load();
await component.main();
