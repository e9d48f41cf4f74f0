// Event Grid subscription delivering BlobCreated events of bronze parts to the blob trigger's webhook.
// Deployed once the app code runs: the webhook key (blobs_extension) exists only after the host has
// started with a blob trigger whose source is EventGrid.

param systemTopicName string
param functionAppName string
param lakeContainer string

resource systemTopic 'Microsoft.EventGrid/systemTopics@2024-06-01-preview' existing = {
  name: systemTopicName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

var blobsExtensionKey = listKeys('${functionApp.id}/host/default', '2024-04-01').systemKeys.blobs_extension

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2024-06-01-preview' = {
  parent: systemTopic
  name: 'bronze-parts-to-loader'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.LoadBronzePart&code=${blobsExtensionKey}'
        maxEventsPerBatch: 1
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [ 'Microsoft.Storage.BlobCreated' ]
      subjectBeginsWith: '/blobServices/default/containers/${lakeContainer}/blobs/bronze/'
      subjectEndsWith: '.jsonl.gz'
      // a part is complete when its block list (Blob API) or final flush (DFS API) commits, never before
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.api'
          values: [ 'PutBlob', 'PutBlockList', 'FlushWithClose', 'CopyBlob' ]
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}
