// The emitEvent activity: queues a run's business event for every subscription of its client that
// hears its type. Delivery happens later, in the notifier; the activity only needs Redis, so a
// receiver that is down never holds up a workflow.
import type { NotificationActivities } from '../contract/activities';
import type { DeliveryQueue } from './delivery-queue';
import type { WebhookSubscriptions } from './subscriptions';

export function createNotificationActivities(deps: { subscriptions: WebhookSubscriptions; deliveries: DeliveryQueue }): NotificationActivities {
  return {
    async emitEvent(event) {
      // Job ids derive from the event id and subscription, so a retry of this activity adds nothing twice.
      await deps.deliveries.enqueue(event, await deps.subscriptions.forEvent(event.client, event.type));
    },
  };
}
