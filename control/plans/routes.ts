import { createRoute, z } from '@hono/zod-openapi';
import { ErrorSchema, FlagParams, ReasonBodySchema } from '../api/schemas';
import { ENVIRONMENT_PREFIX } from '../api/routes';
import { PlanRequestSchema, PlanResultSchema, PlanViewSchema } from './schemas';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const errors = {
  400: json(ErrorSchema, 'Bad input or a plan in the wrong state: `field` names what to fix; nothing changed'),
  401: json(ErrorSchema, 'Missing, forged or expired credentials'),
  403: json(ErrorSchema, 'The role does not allow this (plans need the operator role to change)'),
  404: json(ErrorSchema, 'No such environment, or the flag has no plan'),
  500: json(ErrorSchema, 'Something failed inside; nothing internal is disclosed'),
} as const;
const bearer: Record<string, string[]>[] = [{ bearer: [] }, { access: [] }];
const PLAN_PATH = `${ENVIRONMENT_PREFIX}/flags/{flag}/plan`;

function action(verb: 'pause' | 'resume' | 'cancel', summary: string) {
  return createRoute({
    method: 'post',
    path: `${PLAN_PATH}/${verb}`,
    summary,
    security: bearer,
    request: { params: FlagParams, body: { content: { 'application/json': { schema: ReasonBodySchema } }, required: true } },
    responses: { 200: json(PlanResultSchema, `The plan after ${verb} (changed: false when it was so already)`), ...errors },
  });
}

/** The rollout plan routes, under each flag; they join the admin API's OpenAPI document. */
export const planRoutes = {
  createPlan: createRoute({
    method: 'post',
    path: PLAN_PATH,
    summary: "Create the flag's rollout plan: percentage steps on a schedule, optionally GA after and a guard",
    security: bearer,
    request: { params: FlagParams, body: { content: { 'application/json': { schema: PlanRequestSchema } }, required: true } },
    responses: { 201: json(PlanResultSchema, 'The plan, scheduled; the alarm applies its steps'), ...errors },
  }),
  getPlan: createRoute({
    method: 'get',
    path: PLAN_PATH,
    summary: "The flag's active plan (else its latest): steps, what was applied when, the next step and its time, the guard",
    security: bearer,
    request: { params: FlagParams },
    responses: { 200: json(PlanViewSchema, 'The plan'), ...errors },
  }),
  pausePlan: action('pause', 'Pause the flag’s plan: no step runs until resumed'),
  resumePlan: action('resume', 'Resume the flag’s paused plan: the next step comes one interval later'),
  cancelPlan: action('cancel', 'Cancel the flag’s plan: no further step; the flag stays where it is'),
} as const;
