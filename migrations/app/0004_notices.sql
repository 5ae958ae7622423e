CREATE TABLE `notices` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	`params` text NOT NULL,
	`source` text NOT NULL,
	`dedupe_key` text,
	`read_at` integer,
	`shown_at` integer,
	`shown` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	CONSTRAINT "notices_source_known" CHECK("notices"."source" IN ('relay', 'local'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notices_dedupe_idx` ON `notices` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `notices_at_idx` ON `notices` (`at`,`id`);--> statement-breakpoint
CREATE INDEX `notices_unread_idx` ON `notices` (`at`) WHERE read_at IS NULL;