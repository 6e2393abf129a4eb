import type { Step, StepAction } from '../core/monitor.js';
import type { StepResult } from '../core/results.js';
import { executeRequestStep } from './request/execute.js';
import { executeOAuth2Step } from './oauth2/execute.js';
import type { StepContext } from './step-context.js';

type ExecutorFor<K extends StepAction['kind']> = (step: Step & { action: Extract<StepAction, { kind: K }> }, context: StepContext) => Promise<StepResult>;

/** One executor per step kind: a new kind is a folder beside request/ and one entry here. */
export const stepExecutors: { [K in StepAction['kind']]: ExecutorFor<K> } = {
  request: executeRequestStep,
  oauth2: executeOAuth2Step,
};

export function executeStep(step: Step, context: StepContext): Promise<StepResult> {
  const executor = stepExecutors[step.action.kind] as ExecutorFor<StepAction['kind']>;
  return executor(step as Step & { action: StepAction }, context);
}
