PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_grants` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`source` text DEFAULT 'order' NOT NULL,
	`order_id` text,
	`purchase_id` text,
	`device_id` text,
	`plan_code` text NOT NULL,
	`period` text NOT NULL,
	`price_minor` integer,
	`currency` text,
	`starts_at` integer NOT NULL,
	`ends_at` integer,
	`carried_ms` integer DEFAULT 0 NOT NULL,
	`carried_from` text,
	`status` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- Grants so far were all paid by provider orders: each keeps its order's price.
INSERT INTO `__new_grants`("id", "account_id", "source", "order_id", "purchase_id", "device_id", "plan_code", "period", "price_minor", "currency", "starts_at", "ends_at", "carried_ms", "carried_from", "status") SELECT g."id", g."account_id", 'order', g."order_id", NULL, NULL, g."plan_code", g."period", o."amount", o."currency", g."starts_at", g."ends_at", 0, NULL, g."status" FROM `grants` g LEFT JOIN `orders` o ON o."id" = g."order_id";--> statement-breakpoint
DROP TABLE `grants`;--> statement-breakpoint
ALTER TABLE `__new_grants` RENAME TO `grants`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `grants_account` ON `grants` (`account_id`,`starts_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `grants_order` ON `grants` (`order_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `grants_purchase` ON `grants` (`account_id`,`purchase_id`);