CREATE TABLE `coupon_grants` (
	`grant_id` text PRIMARY KEY NOT NULL,
	`body` text NOT NULL,
	`state` text NOT NULL,
	`at` integer NOT NULL,
	`used_by` text,
	`used_at` integer,
	CONSTRAINT "coupon_grants_state_known" CHECK("coupon_grants"."state" IN ('available', 'used', 'revoked'))
);
--> statement-breakpoint
CREATE TABLE `credit_notes` (
	`number` text PRIMARY KEY NOT NULL,
	`invoice_number` text NOT NULL,
	`seq` integer NOT NULL,
	`issued_at` integer NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `credit_notes_invoice_idx` ON `credit_notes` (`invoice_number`);--> statement-breakpoint
CREATE TABLE `fapiao_requests` (
	`invoice_number` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`status` text NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `invoices` (
	`number` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`issued_at` integer NOT NULL,
	`status` text NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `invoices_issued_idx` ON `invoices` (`issued_at`);--> statement-breakpoint
ALTER TABLE `sync_orders` ADD `coupon_code` text;