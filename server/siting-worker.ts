/**
 * The exact siting solve in a worker thread: HiGHS runs synchronously for up to its time limit,
 * which on the server's own thread would stall every other request. The worker gets the instance
 * and the problem, answers with the result, and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { exactCapacitated, exactMaxCover, exactSetCover } from './core/siting-exact.ts';
import type { ExactJob } from './siting.ts';

const job = workerData as ExactJob;
const { instance, problem, target, seconds } = job;
const result =
  problem.kind === 'max-cover' ? await exactMaxCover(instance, problem.p, seconds)
  : problem.kind === 'set-cover' ? await exactSetCover(instance, target, seconds)
  : await exactCapacitated(instance, problem.p, problem.capacity, seconds);
parentPort!.postMessage(result);
