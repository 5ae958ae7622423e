CREATE TABLE `trials` (
	`account_id` text NOT NULL,
	`plan_code` text NOT NULL,
	`record_id` text NOT NULL,
	`device_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`decided_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `plan_code`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
