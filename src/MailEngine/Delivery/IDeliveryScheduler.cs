namespace MailEngine.Delivery;

/// <summary>Hands a durably queued message to the delivery workers.</summary>
public interface IDeliveryScheduler
{
    void Enqueue(string queueId);
}
