CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`label` text,
	`created_at` integer NOT NULL,
	`first_free_claim_id` text,
	`first_free_device_id` text,
	`wallet_balance` integer DEFAULT 0 NOT NULL,
	`wallet_currency` text DEFAULT 'CNY' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `counters` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `devices` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`enrolled_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `devices_token_hash` ON `devices` (`token_hash`);--> statement-breakpoint
CREATE INDEX `devices_account` ON `devices` (`account_id`);--> statement-breakpoint
CREATE TABLE `enrolment_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`used_by_device` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `feed` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`account_id` text NOT NULL,
	`type` text NOT NULL,
	`timestamp` integer NOT NULL,
	`payload` text NOT NULL,
	`signature` text NOT NULL,
	`key_id` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `feed_id` ON `feed` (`id`);--> statement-breakpoint
CREATE INDEX `feed_account_seq` ON `feed` (`account_id`,`seq`);--> statement-breakpoint
CREATE TABLE `grants` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`order_id` text NOT NULL,
	`plan_code` text NOT NULL,
	`period` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer,
	`status` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `grants_account` ON `grants` (`account_id`,`starts_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `grants_order` ON `grants` (`order_id`);--> statement-breakpoint
CREATE TABLE `leases` (
	`device_id` text PRIMARY KEY NOT NULL,
	`feed_id` text NOT NULL,
	`plan_code` text NOT NULL,
	`debt` integer NOT NULL,
	`issued_at` integer NOT NULL,
	`valid_until` integer NOT NULL,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `notification_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`provider` text NOT NULL,
	`event_id` text,
	`event_type` text,
	`order_no` text,
	`outcome` text NOT NULL,
	`reason` text,
	`remote_address` text
);
--> statement-breakpoint
CREATE INDEX `notification_log_order` ON `notification_log` (`order_no`);--> statement-breakpoint
CREATE TABLE `order_transitions` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` text NOT NULL,
	`from_state` text NOT NULL,
	`to_state` text NOT NULL,
	`cause` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `order_transitions_order` ON `order_transitions` (`order_id`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`order_no` text NOT NULL,
	`account_id` text NOT NULL,
	`device_id` text NOT NULL,
	`client_key` text NOT NULL,
	`request_fingerprint` text NOT NULL,
	`provider` text NOT NULL,
	`item_json` text NOT NULL,
	`subject` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	`state` text NOT NULL,
	`checkout_json` text,
	`provider_ref` text,
	`provider_payment_id` text,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_order_no` ON `orders` (`order_no`);--> statement-breakpoint
CREATE UNIQUE INDEX `orders_client_key` ON `orders` (`account_id`,`client_key`);--> statement-breakpoint
CREATE INDEX `orders_account` ON `orders` (`account_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `outbox_records` (
	`account_id` text NOT NULL,
	`id` text NOT NULL,
	`device_id` text NOT NULL,
	`kind` text NOT NULL,
	`fingerprint` text NOT NULL,
	`body` text NOT NULL,
	`outcome` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `provider_events` (
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`order_no` text,
	`type` text NOT NULL,
	`applied_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `event_id`)
);
--> statement-breakpoint
CREATE TABLE `refunds` (
	`provider` text NOT NULL,
	`refund_id` text NOT NULL,
	`order_id` text NOT NULL,
	`amount` integer NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`provider`, `refund_id`),
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
