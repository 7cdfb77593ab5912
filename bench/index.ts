/**
 * `npm run bench -- <area>`: prints one figure a line as `name: value unit`.
 * Figures are measured on this machine, never asserted; tests check behaviour.
 */
import { runBroadcastBench } from './broadcast';
import { runCloudBench } from './cloud';
import { runCommandsBench } from './commands';
import { runFaultsBench } from './faults';
import { runHygieneBench } from './hygiene';
import { runMirrorBench } from './mirror';
import { runStoreBench } from './store';
import { runWhatsAppBench } from './whatsapp';

const areas: Record<string, () => Promise<void>> = {
  broadcast: runBroadcastBench,
  cloud: runCloudBench,
  commands: runCommandsBench,
  faults: runFaultsBench,
  hygiene: runHygieneBench,
  mirror: runMirrorBench,
  store: runStoreBench,
  whatsapp: runWhatsAppBench,
};

async function main(): Promise<void> {
  // Options (`--runs 50` for faults) are the areas' own; the rest name areas.
  const wanted = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--runs');
  if (wanted.length === 0 || wanted.some((a) => !areas[a])) {
    console.error(`usage: npm run bench -- <area…>   (areas: ${Object.keys(areas).join(', ')})`);
    process.exit(2);
  }
  for (const area of wanted) await areas[area]!();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
