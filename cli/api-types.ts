// The API's reply shapes, as the API's own zod schemas infer them (type imports only: nothing of
// the API is loaded at run time, and a change to a reply that the CLI reads fails the typecheck).
import type { z } from 'zod';
import type { CompleteTaskReply, RunDetail, RunStarted, TaskDetail, TaskPage, TaskView } from '../api/schemas';
import type { ScheduleAccepted, ScheduleList, ScheduleView } from '../api/schedules/schedule-schemas';
import type { BatchView, ItemsPage } from '../api/batch-schemas';
import type { RunList } from '../api/routes/run-search';

export type Run = z.infer<typeof RunDetail>;
export type RunStart = z.infer<typeof RunStarted>;
export type RunPage = z.infer<typeof RunList>;
export type Task = z.infer<typeof TaskView>;
export type TaskWithForm = z.infer<typeof TaskDetail>;
export type TaskQueue = z.infer<typeof TaskPage>;
export type Decided = z.infer<typeof CompleteTaskReply>;
export type TakeNext = Pick<TaskQueue, 'source' | 'degraded' | 'stale'> & { task: Task | null };
export type Schedule = z.infer<typeof ScheduleView>;
export type Schedules = z.infer<typeof ScheduleList>;
export type ScheduleAction = z.infer<typeof ScheduleAccepted>;
export type Batch = z.infer<typeof BatchView>;
export type BatchItems = z.infer<typeof ItemsPage>;
