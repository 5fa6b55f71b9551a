/**
 * Coax on the command line: the same core and transformers.js adapter as the page, on onnxruntime-node.
 *   npm run coax -- run --model coax/fixture-tiny --suite addition --methods greedy-plain,fewshot-worked --seed 1 --out results.json
 *   npm run coax -- show results.json          (a CLI results file or a page export)
 * The commands' flags and help are in commands.ts; each command's code in run-command.ts, steer-commands.ts and
 * file-commands.ts.
 */
import { errorMessage } from '../src/core/errors.ts';
import { isCancelled } from '../src/core/decode/cancel.ts';
import { commandHelp, overallHelp, parseArgs } from './args.ts';
import { COMMANDS, INTRO } from './commands.ts';
import { card, compare, list, show } from './file-commands.ts';
import { run } from './run-command.ts';
import { lensCommand, sweepCommand } from './steer-commands.ts';

async function main(): Promise<void> {
  const { command, flags, argument, help } = parseArgs(process.argv.slice(2), COMMANDS);
  if (command === 'help') console.log(overallHelp(INTRO, COMMANDS));
  else if (help) console.log(commandHelp(command, COMMANDS[command]!));
  else if (command === 'list') list(flags);
  else if (command === 'show') show(argument!, flags);
  else if (command === 'card') card(argument!, flags);
  else if (command === 'sweep') await sweepCommand(flags);
  else if (command === 'lens') await lensCommand(flags);
  else if (command === 'compare') compare(argument!, flags);
  else await run(flags);
}

main().catch((err: unknown) => {
  process.stderr.write(`\ncoax: ${errorMessage(err)}\n`);
  process.exit(isCancelled(err) ? 130 : 1);
});
