CREATE TABLE `billing_details` (
	`account_id` text PRIMARY KEY NOT NULL,
	`details` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `credit_notes` (
	`number` text PRIMARY KEY NOT NULL,
	`invoice_number` text NOT NULL,
	`account_id` text NOT NULL,
	`refund_id` text NOT NULL,
	`issued_at` integer NOT NULL,
	`currency` text NOT NULL,
	`amount` integer NOT NULL,
	`tax` integer NOT NULL,
	FOREIGN KEY (`invoice_number`) REFERENCES `invoices`(`number`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_refund` ON `credit_notes` (`refund_id`);--> statement-breakpoint
CREATE INDEX `credit_notes_invoice` ON `credit_notes` (`invoice_number`);--> statement-breakpoint
CREATE INDEX `credit_notes_account` ON `credit_notes` (`account_id`);--> statement-breakpoint
CREATE TABLE `document_counters` (
	`series` text NOT NULL,
	`year` integer NOT NULL,
	`last` integer NOT NULL,
	PRIMARY KEY(`series`, `year`)
);
--> statement-breakpoint
CREATE TABLE `fapiao_requests` (
	`invoice_number` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`status` text NOT NULL,
	`requested_at` integer NOT NULL,
	`decided_at` integer,
	`fapiao_number` text,
	`reason` text,
	`file_type` text,
	`file` blob,
	FOREIGN KEY (`invoice_number`) REFERENCES `invoices`(`number`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `fapiao_requests_account` ON `fapiao_requests` (`account_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `fapiao_requests_fapiao_number` ON `fapiao_requests` (`fapiao_number`);--> statement-breakpoint
CREATE TABLE `invoice_pdfs` (
	`invoice_number` text NOT NULL,
	`lang` text NOT NULL,
	`version` integer NOT NULL,
	`pdf` blob NOT NULL,
	`rendered_at` integer NOT NULL,
	PRIMARY KEY(`invoice_number`, `lang`, `version`),
	FOREIGN KEY (`invoice_number`) REFERENCES `invoices`(`number`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `invoices` (
	`number` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`source_kind` text NOT NULL,
	`source_id` text NOT NULL,
	`issued_at` integer NOT NULL,
	`status` text NOT NULL,
	`currency` text NOT NULL,
	`total` integer NOT NULL,
	`tax` integer NOT NULL,
	`discount` integer NOT NULL,
	`credited` integer DEFAULT 0 NOT NULL,
	`credited_tax` integer DEFAULT 0 NOT NULL,
	`lines` text NOT NULL,
	`buyer` text,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_source` ON `invoices` (`source_kind`,`source_id`);--> statement-breakpoint
CREATE INDEX `invoices_account` ON `invoices` (`account_id`,`issued_at`);