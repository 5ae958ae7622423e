CREATE TABLE `coupon_grants` (
	`id` text PRIMARY KEY NOT NULL,
	`coupon_id` text NOT NULL,
	`account_id` text NOT NULL,
	`code` text,
	`state` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_until` integer,
	`used_by` text,
	`renewal_of` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`coupon_id`) REFERENCES `coupons`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `coupon_grants_account` ON `coupon_grants` (`account_id`);--> statement-breakpoint
CREATE INDEX `coupon_grants_coupon` ON `coupon_grants` (`coupon_id`,`state`);--> statement-breakpoint
CREATE TABLE `coupon_redemptions` (
	`id` text PRIMARY KEY NOT NULL,
	`coupon_id` text NOT NULL,
	`code` text,
	`grant_id` text,
	`account_id` text NOT NULL,
	`order_id` text,
	`purchase_id` text,
	`state` text NOT NULL,
	`discount` integer NOT NULL,
	`currency` text NOT NULL,
	`plan_code` text,
	`period` text,
	`periods_left` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `coupon_redemptions_account` ON `coupon_redemptions` (`account_id`,`plan_code`,`period`);--> statement-breakpoint
CREATE UNIQUE INDEX `coupon_redemptions_order` ON `coupon_redemptions` (`order_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `coupon_redemptions_purchase` ON `coupon_redemptions` (`account_id`,`purchase_id`);--> statement-breakpoint
CREATE TABLE `coupon_uses` (
	`scope` text NOT NULL,
	`account_id` text NOT NULL,
	`used` integer NOT NULL,
	PRIMARY KEY(`scope`, `account_id`)
);
--> statement-breakpoint
CREATE TABLE `coupons` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`off_json` text NOT NULL,
	`currency` text NOT NULL,
	`minimum` integer,
	`max_discount` integer,
	`total_limit` integer,
	`per_account_limit` integer,
	`first_purchase_only` integer DEFAULT 0 NOT NULL,
	`valid_from` integer,
	`valid_until` integer,
	`active` integer DEFAULT 1 NOT NULL,
	`applies_json` text NOT NULL,
	`duration_json` text NOT NULL,
	`redeemed` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `promotion_codes` (
	`code` text PRIMARY KEY NOT NULL,
	`coupon_id` text NOT NULL,
	`total_limit` integer,
	`per_account_limit` integer,
	`valid_until` integer,
	`active` integer DEFAULT 1 NOT NULL,
	`redeemed` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`coupon_id`) REFERENCES `coupons`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `promotion_codes_coupon` ON `promotion_codes` (`coupon_id`);--> statement-breakpoint
ALTER TABLE `orders` ADD `discount_amount` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `bonus_amount` integer DEFAULT 0 NOT NULL;