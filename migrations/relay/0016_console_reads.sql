CREATE INDEX `accounts_created` ON `accounts` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `coupon_redemptions_coupon` ON `coupon_redemptions` (`coupon_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `fapiao_requests_status` ON `fapiao_requests` (`status`,`requested_at`);--> statement-breakpoint
CREATE INDEX `ledger_transfers_customer` ON `ledger_transfers` (`customer_account_id`,`seq`);--> statement-breakpoint
CREATE INDEX `orders_created` ON `orders` (`created_at`,`order_no`);--> statement-breakpoint
CREATE INDEX `orders_provider_payment` ON `orders` (`provider_payment_id`);