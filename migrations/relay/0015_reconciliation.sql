CREATE TABLE `reconciliation_differences` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`provider` text NOT NULL,
	`kind` text NOT NULL,
	`order_no` text NOT NULL,
	`refund_id` text,
	`bill_amount` integer,
	`relay_amount` integer,
	`line` integer,
	`resolved_at` integer,
	`resolved_by` text,
	`resolution` text,
	FOREIGN KEY (`run_id`) REFERENCES `reconciliation_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `reconciliation_differences_run` ON `reconciliation_differences` (`run_id`);--> statement-breakpoint
CREATE TABLE `reconciliation_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`period_from` integer NOT NULL,
	`period_to` integer NOT NULL,
	`lines` integer NOT NULL,
	`differences` integer NOT NULL,
	`imported_at` integer NOT NULL,
	`imported_by` text NOT NULL
);
