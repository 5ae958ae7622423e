CREATE INDEX "accounts_created" ON "accounts" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "accounts_id_pattern" ON "accounts" USING btree ("id" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "coupon_redemptions_coupon" ON "coupon_redemptions" USING btree ("coupon_id","created_at");--> statement-breakpoint
CREATE INDEX "fapiao_requests_status" ON "fapiao_requests" USING btree ("status","requested_at");--> statement-breakpoint
CREATE INDEX "ledger_transfers_customer" ON "ledger_transfers" USING btree ("customer_account_id","seq");--> statement-breakpoint
CREATE INDEX "orders_created" ON "orders" USING btree ("created_at","order_no");--> statement-breakpoint
CREATE INDEX "orders_order_no_pattern" ON "orders" USING btree ("order_no" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "orders_provider_payment" ON "orders" USING btree ("provider_payment_id");