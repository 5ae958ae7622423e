CREATE TABLE `sync_trials` (
	`record_id` text PRIMARY KEY NOT NULL,
	`plan_code` text NOT NULL,
	`device_id` text NOT NULL,
	`outcome` text NOT NULL,
	`own` integer DEFAULT 0 NOT NULL,
	`decided_at` integer NOT NULL,
	`applied_at` integer NOT NULL,
	CONSTRAINT "sync_trials_outcome_known" CHECK("sync_trials"."outcome" IN ('confirmed', 'refused'))
);
--> statement-breakpoint
CREATE INDEX `sync_trials_plan_idx` ON `sync_trials` (`plan_code`);