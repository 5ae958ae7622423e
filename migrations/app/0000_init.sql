CREATE TABLE `wallet_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`kind` text NOT NULL,
	`currency` text NOT NULL,
	`balance` integer DEFAULT 0 NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`last_hash` text,
	`created_at` integer NOT NULL,
	CONSTRAINT "wallet_accounts_wallet_nonneg" CHECK("wallet_accounts"."kind" NOT IN ('wallet', 'holds') OR "wallet_accounts"."balance" >= 0),
	CONSTRAINT "wallet_accounts_debt_nonpos" CHECK("wallet_accounts"."kind" <> 'debt' OR "wallet_accounts"."balance" <= 0)
);
--> statement-breakpoint
CREATE TABLE `wallet_entries` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`op_key` text,
	`leg` integer NOT NULL,
	`type` text NOT NULL,
	`owner` text NOT NULL,
	`debit_account` text NOT NULL,
	`credit_account` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`ref` text,
	`feature` text,
	`reason` text,
	`fingerprint` text,
	`result` text,
	`created_at` integer NOT NULL,
	`hash` text NOT NULL,
	FOREIGN KEY (`debit_account`) REFERENCES `wallet_accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`credit_account`) REFERENCES `wallet_accounts`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "wallet_entries_amount_pos" CHECK("wallet_entries"."amount" > 0),
	CONSTRAINT "wallet_entries_distinct" CHECK("wallet_entries"."debit_account" <> "wallet_entries"."credit_account")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `wallet_entries_key_uq` ON `wallet_entries` (`op_key`,`leg`);--> statement-breakpoint
CREATE INDEX `wallet_entries_type_idx` ON `wallet_entries` (`owner`,`currency`,`type`) WHERE type <> 'consume';--> statement-breakpoint
CREATE TABLE `wallet_first_free_claims` (
	`account_id` text PRIMARY KEY NOT NULL,
	`entry_id` text,
	`op_key` text NOT NULL,
	`feature` text NOT NULL,
	`price` integer NOT NULL,
	`currency` text NOT NULL,
	`elsewhere_claim_id` text,
	`elsewhere_device_id` text,
	`created_at` integer NOT NULL,
	CONSTRAINT "wallet_first_free_claims_origin" CHECK(("wallet_first_free_claims"."entry_id" IS NULL) = ("wallet_first_free_claims"."elsewhere_claim_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE `wallet_holds` (
	`id` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`currency` text NOT NULL,
	`amount` integer NOT NULL,
	`feature` text NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`open_key` text NOT NULL,
	`close_key` text,
	`settled_amount` integer,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`closed_at` integer,
	CONSTRAINT "wallet_holds_amount_pos" CHECK("wallet_holds"."amount" > 0)
);
--> statement-breakpoint
CREATE INDEX `wallet_holds_pending_idx` ON `wallet_holds` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `wallet_payments` (
	`payment_id` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`provider` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`refunded` integer DEFAULT 0 NOT NULL,
	`op_key` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `wallet_refunds` (
	`refund_id` text PRIMARY KEY NOT NULL,
	`payment_id` text NOT NULL,
	`amount` integer NOT NULL,
	`from_wallet` integer NOT NULL,
	`to_debt` integer NOT NULL,
	`op_key` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`payment_id`) REFERENCES `wallet_payments`(`payment_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `wallet_refunds_payment_idx` ON `wallet_refunds` (`payment_id`);--> statement-breakpoint
CREATE TABLE `plan_catalog_seeds` (
	`version` integer PRIMARY KEY NOT NULL,
	`seeded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `plan_changes` (
	`seq` integer PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`period` text NOT NULL,
	`active` integer NOT NULL,
	`at` integer NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `plans` (
	`code` text NOT NULL,
	`period` text NOT NULL,
	`name` text NOT NULL,
	`price_minor` integer NOT NULL,
	`original_price_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`features` text NOT NULL,
	`max_streams` integer,
	`max_storage_gb` integer,
	`max_ai_requests` integer,
	`max_export_count` integer,
	`active` integer NOT NULL,
	`sort_order` integer NOT NULL,
	`trial_days` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`code`, `period`),
	CONSTRAINT "plans_period_known" CHECK("plans"."period" IN ('monthly', 'quarterly', 'yearly', 'lifetime')),
	CONSTRAINT "plans_price_nonneg" CHECK("plans"."price_minor" >= 0 AND "plans"."original_price_minor" >= 0),
	CONSTRAINT "plans_trial_nonneg" CHECK("plans"."trial_days" >= 0)
);
--> statement-breakpoint
CREATE TABLE `subscription_charges` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`kind` text NOT NULL,
	`source` text NOT NULL,
	`payment_ref` text NOT NULL,
	`amount_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer,
	`at` integer NOT NULL,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "subscription_charges_amount_nonneg" CHECK("subscription_charges"."amount_minor" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscription_charges_payment_ref_unique` ON `subscription_charges` (`payment_ref`);--> statement-breakpoint
CREATE INDEX `subscription_charges_sub_idx` ON `subscription_charges` (`subscription_id`,`at`);--> statement-breakpoint
CREATE TABLE `subscription_events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`kind` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`actor` text NOT NULL,
	`reason` text,
	`request_key` text,
	`details` text NOT NULL,
	`at` integer NOT NULL,
	`state` text NOT NULL,
	`hash` text NOT NULL,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `subscription_events_sub_idx` ON `subscription_events` (`subscription_id`,`seq`);--> statement-breakpoint
CREATE TABLE `subscription_requests` (
	`key` text PRIMARY KEY NOT NULL,
	`op` text NOT NULL,
	`fingerprint` text NOT NULL,
	`result` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`plan_code` text NOT NULL,
	`period` text NOT NULL,
	`status` text NOT NULL,
	`price_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`auto_renew` integer NOT NULL,
	`anchor_day` integer NOT NULL,
	`started_at` integer NOT NULL,
	`trial_ends_at` integer,
	`current_period_start` integer NOT NULL,
	`current_period_end` integer,
	`grace_until` integer,
	`cancel_at_period_end` integer DEFAULT 0 NOT NULL,
	`cancel_reason` text,
	`cancelled_at` integer,
	`ended_at` integer,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`plan_code`,`period`) REFERENCES `plans`(`code`,`period`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "subscriptions_status_known" CHECK("subscriptions"."status" IN ('trialing', 'active', 'past_due', 'cancelled', 'expired', 'suspended')),
	CONSTRAINT "subscriptions_price_nonneg" CHECK("subscriptions"."price_minor" >= 0),
	CONSTRAINT "subscriptions_period_order" CHECK("subscriptions"."current_period_end" IS NULL OR "subscriptions"."current_period_end" > "subscriptions"."current_period_start")
);
--> statement-breakpoint
CREATE INDEX `subscriptions_status_idx` ON `subscriptions` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `gauge_leases` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`fingerprint` text NOT NULL,
	`feature` text NOT NULL,
	`holder` text NOT NULL,
	`qty` integer NOT NULL,
	`ttl_ms` integer,
	`acquired_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL,
	`expires_at` integer,
	`status` text NOT NULL,
	`ended_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gauge_leases_key_uq` ON `gauge_leases` (`key`);--> statement-breakpoint
CREATE INDEX `gauge_leases_live_idx` ON `gauge_leases` (`feature`) WHERE ended_at IS NULL;--> statement-breakpoint
CREATE TABLE `usage_counters` (
	`feature` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer,
	`used` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`feature`, `period_start`)
);
--> statement-breakpoint
CREATE TABLE `usage_events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`key` text NOT NULL,
	`fingerprint` text NOT NULL,
	`feature` text NOT NULL,
	`qty` integer NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer,
	`used_after` integer NOT NULL,
	`quota_limit` integer,
	`plan_code` text NOT NULL,
	`created_at` integer NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_events_key_uq` ON `usage_events` (`key`);--> statement-breakpoint
CREATE TABLE `sync_inbox` (
	`id` text PRIMARY KEY NOT NULL,
	`cursor` text NOT NULL,
	`type` text NOT NULL,
	`timestamp` integer NOT NULL,
	`payload` text NOT NULL,
	`signature` text NOT NULL,
	`applied_at` integer NOT NULL,
	`status` text DEFAULT 'applied' NOT NULL,
	`skip_reason` text,
	CONSTRAINT "sync_inbox_status_known" CHECK("sync_inbox"."status" IN ('applied', 'skipped'))
);
--> statement-breakpoint
CREATE INDEX `sync_inbox_skipped_idx` ON `sync_inbox` (`applied_at`) WHERE status = 'skipped';--> statement-breakpoint
CREATE TABLE `sync_orders` (
	`id` text PRIMARY KEY NOT NULL,
	`relay_key` text NOT NULL,
	`request_key` text NOT NULL,
	`fingerprint` text NOT NULL,
	`method` text NOT NULL,
	`kind` text NOT NULL,
	`plan_code` text,
	`period` text,
	`plan_id` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`order_no` text,
	`display_kind` text,
	`content` text,
	`expires_at` integer NOT NULL,
	`failure_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sync_orders_relay_key_unique` ON `sync_orders` (`relay_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `sync_orders_request_key_unique` ON `sync_orders` (`request_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `sync_orders_order_no_unique` ON `sync_orders` (`order_no`);--> statement-breakpoint
CREATE INDEX `sync_orders_status_idx` ON `sync_orders` (`status`);--> statement-breakpoint
CREATE TABLE `sync_outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`spend` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`acked_at` integer,
	`rejected_code` text,
	`rejected_reason` text,
	`rejected_at` integer,
	`mirrored_at` integer,
	CONSTRAINT "sync_outbox_spend_nonneg" CHECK("sync_outbox"."spend" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sync_outbox_id_unique` ON `sync_outbox` (`id`);--> statement-breakpoint
CREATE INDEX `sync_outbox_pending_idx` ON `sync_outbox` (`seq`) WHERE acked_at IS NULL AND rejected_code IS NULL;--> statement-breakpoint
CREATE INDEX `sync_outbox_rejected_idx` ON `sync_outbox` (`seq`) WHERE rejected_code IS NOT NULL;--> statement-breakpoint
CREATE INDEX `sync_outbox_unmirrored_idx` ON `sync_outbox` (`seq`) WHERE mirrored_at IS NULL AND spend > 0;--> statement-breakpoint
CREATE TABLE `sync_payments` (
	`id` text PRIMARY KEY NOT NULL,
	`order_no` text NOT NULL,
	`kind` text NOT NULL,
	`method` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`purpose` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sync_payments_time_idx` ON `sync_payments` (`created_at`);--> statement-breakpoint
CREATE TABLE `sync_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`cursor` text,
	`relay_balance` integer DEFAULT 0 NOT NULL,
	`relay_debt` integer DEFAULT 0 NOT NULL,
	`first_free_claim_id` text,
	`first_free_device_id` text,
	`lease` text,
	`high_water` integer DEFAULT 0 NOT NULL,
	`skew` integer DEFAULT 0 NOT NULL,
	`relay_time` integer,
	`last_sync_at` integer,
	`last_error` text,
	`warnings` text DEFAULT '' NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "sync_state_one_row" CHECK("sync_state"."id" = 1)
);
