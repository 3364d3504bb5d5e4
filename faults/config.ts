// What `make faults` runs, from the environment. Nothing else in faults/ reads process.env for settings.
//   FAULTS_WORKFLOWS=10     workflows per fault
//   FAULTS_LOAD=100         workflows under the repeated leader kills
//   FAULTS_BAD_INPUTS=1000  generated inputs per bad-input row
//   FAULTS_ONLY=a,b         run only the rows whose name contains one of these
//   FAULTS_TIMEOUT_S=240    how long a fault's workflows may take to become final

export interface FaultsConfig {
  workflows: number;
  load: number;
  badInputs: number;
  only: string[];
  timeoutMs: number;
}

function positive(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return text !== undefined && text !== "" && Number.isInteger(n) && n > 0 ? n : fallback;
}

export function parseFaultsConfig(env: Record<string, string | undefined>): FaultsConfig {
  return {
    workflows: positive(env.FAULTS_WORKFLOWS, 10),
    load: positive(env.FAULTS_LOAD, 100),
    badInputs: positive(env.FAULTS_BAD_INPUTS, 1000),
    only: (env.FAULTS_ONLY ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
    timeoutMs: positive(env.FAULTS_TIMEOUT_S, 240) * 1000,
  };
}

/** Whether a row runs under FAULTS_ONLY. */
export function selected(config: FaultsConfig, name: string): boolean {
  return config.only.length === 0 || config.only.some((part) => name.includes(part));
}
