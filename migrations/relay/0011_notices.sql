CREATE TABLE `account_settings` (
	`account_id` text PRIMARY KEY NOT NULL,
	`language` text DEFAULT 'zh-CN' NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `debt_episodes` (
	`account_id` text PRIMARY KEY NOT NULL,
	`debt_id` text NOT NULL,
	`source_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`grace_ends_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `notice_emails` (
	`notice_id` text NOT NULL,
	`recipient` text NOT NULL,
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`language` text NOT NULL,
	`message_id` text NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`notice_id`, `recipient`)
);
--> statement-breakpoint
CREATE TABLE `notice_opt_outs` (
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `kind`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `notices` (
	`account_id` text NOT NULL,
	`notice_id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `notice_id`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
