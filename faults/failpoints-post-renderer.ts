// helm --post-renderer for the test cluster (test/e2e/install-onexit.ts): stdin the rendered
// chart, stdout the same with the failpoints directory (argv[2]) mounted in the coordinator.
import { readFileSync } from "node:fs";
import { withFailpointsVolume } from "./failpoints-volume.ts";

const dir = process.argv[2];
if (dir === undefined || dir === "") throw new Error("usage: failpoints-post-renderer.ts <failpoints dir>");
process.stdout.write(withFailpointsVolume(readFileSync(0, "utf8"), dir));
