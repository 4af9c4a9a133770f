"""Pages of production: dispatch batches to the centre and the parcels of cards back (`batches`)."""
