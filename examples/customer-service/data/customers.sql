-- The customer-service example's database: customers and their orders. ragrt-order-service
-- creates the SQLite file from this script on first start (--seed), serves GET /orders/{id} from
-- it, and the `sql` tool reads the same file read-only. Dates are UTC; estimated_delivery is a
-- calendar date. The facts follow docs/policies/shipping.html: orders placed before 2 pm on a
-- working day ship the same day, standard delivery takes 2-4 working days, express arrives the
-- next working day, standard shipping is free over 50 EUR.

CREATE TABLE customers (
  customer_id TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  email       TEXT NOT NULL UNIQUE,
  phone       TEXT,
  tier        TEXT NOT NULL CHECK (tier IN ('standard', 'silver', 'gold')),
  city        TEXT,
  created_at  TEXT NOT NULL
);

CREATE TABLE orders (
  order_id           TEXT PRIMARY KEY,
  customer_id        TEXT NOT NULL REFERENCES customers (customer_id),
  status             TEXT NOT NULL CHECK (status IN ('processing', 'shipped', 'in_transit', 'out_for_delivery',
                                                      'delivered', 'delayed', 'cancelled', 'refunded')),
  carrier            TEXT,
  tracking_number    TEXT,
  shipping_method    TEXT NOT NULL CHECK (shipping_method IN ('standard', 'express')),
  placed_at          TEXT NOT NULL,
  shipped_at         TEXT,
  estimated_delivery TEXT,
  delivered_at       TEXT,
  total_cents        INTEGER NOT NULL CHECK (total_cents >= 0),
  currency           TEXT NOT NULL DEFAULT 'EUR',
  items              TEXT NOT NULL CHECK (json_valid(items))  -- [{"name", "quantity", "price_cents"}]
);
CREATE INDEX orders_by_customer ON orders (customer_id);

INSERT INTO customers VALUES
  ('C1001', 'Alice Martin',   'alice@example.com',       '+49 30 5550 1001',   'gold',     'Berlin',    '2023-03-14T09:12:00Z'),
  ('C1002', '王芳',           'wang.fang@example.com',   '+49 40 5550 1002',   'silver',   'Hamburg',   '2023-07-02T18:40:00Z'),
  ('C1003', 'Bob Schneider',  'bob@example.com',         '+49 89 5550 1003',   'standard', 'Munich',    '2024-01-20T11:05:00Z'),
  ('C1004', '李伟',           'li.wei@example.com',      '+49 69 5550 1004',   'gold',     'Frankfurt', '2022-11-08T07:55:00Z'),
  ('C1005', 'Carla Rossi',    'carla.rossi@example.com', '+39 02 5550 1005',   'silver',   'Milan',     '2024-05-16T15:30:00Z'),
  ('C1006', '陈静',           'chen.jing@example.com',   '+33 1 5550 1006',    'standard', 'Paris',     '2025-02-27T20:18:00Z'),
  ('C1007', 'David Okafor',   'david.okafor@example.com','+31 20 5550 1007',   'standard', 'Amsterdam', '2025-09-03T12:47:00Z'),
  ('C1008', '张伟',           'zhang.wei@example.com',   '+43 1 5550 1008',    'silver',   'Vienna',    '2024-10-11T08:21:00Z');

INSERT INTO orders VALUES
  -- The order the example asks about: "Where is my order #12345?"
  ('12345', 'C1001', 'in_transit', 'UPS', '1Z999AA10123456784', 'standard',
   '2026-11-23T09:42:00Z', '2026-11-23T16:05:00Z', '2026-11-27', NULL, 5990, 'EUR',
   '[{"name": "Wireless headphones", "quantity": 1, "price_cents": 5990}]'),
  ('10001', 'C1001', 'delivered', 'DHL', '00340434161094015902', 'express',
   '2026-10-01T10:03:00Z', '2026-10-01T15:20:00Z', '2026-10-02', '2026-10-02T11:34:00Z', 4460, 'EUR',
   '[{"name": "USB-C charger 65 W", "quantity": 1, "price_cents": 2480}, {"name": "Cable organiser", "quantity": 2, "price_cents": 495}]'),
  ('67890', 'C1002', 'delivered', 'DHL', '00340434161094042557', 'standard',
   '2026-11-10T11:20:00Z', '2026-11-10T15:30:00Z', '2026-11-13', '2026-11-12T13:47:00Z', 12450, 'EUR',
   '[{"name": "Espresso machine", "quantity": 1, "price_cents": 10950}, {"name": "Milk frother", "quantity": 1, "price_cents": 1500}]'),
  ('55555', 'C1002', 'in_transit', 'DPD', '01505012345678', 'standard',
   '2026-11-24T08:15:00Z', '2026-11-24T14:50:00Z', '2026-11-27', NULL, 8900, 'EUR',
   '[{"name": "Rice cooker", "quantity": 1, "price_cents": 8900}]'),
  ('24680', 'C1003', 'delayed', 'DPD', '01505012349876', 'standard',
   '2026-11-12T12:30:00Z', '2026-11-12T16:45:00Z', '2026-11-18', NULL, 4280, 'EUR',
   '[{"name": "Hiking backpack 30 l", "quantity": 1, "price_cents": 3790}]'),
  ('77777', 'C1003', 'delivered', 'GLS', '40500123456', 'standard',
   '2026-09-15T16:10:00Z', '2026-09-16T13:00:00Z', '2026-09-18', '2026-09-18T10:02:00Z', 2980, 'EUR',
   '[{"name": "Paperback: The Pragmatic Programmer", "quantity": 1, "price_cents": 2490}]'),
  ('13579', 'C1004', 'processing', NULL, NULL, 'express',
   '2026-11-25T08:30:00Z', NULL, '2026-11-26', NULL, 21900, 'EUR',
   '[{"name": "Noise-cancelling headphones", "quantity": 1, "price_cents": 20910}]'),
  ('11223', 'C1005', 'cancelled', NULL, NULL, 'standard',
   '2026-11-20T19:05:00Z', NULL, NULL, NULL, 2490, 'EUR',
   '[{"name": "Phone case", "quantity": 1, "price_cents": 2000}]'),
  ('88888', 'C1005', 'processing', NULL, NULL, 'standard',
   '2026-11-25T10:55:00Z', NULL, '2026-11-30', NULL, 6480, 'EUR',
   '[{"name": "Desk lamp", "quantity": 1, "price_cents": 3990}, {"name": "LED bulb", "quantity": 3, "price_cents": 830}]'),
  ('44556', 'C1006', 'refunded', 'GLS', '40500987654', 'standard',
   '2026-10-28T09:00:00Z', '2026-10-28T14:10:00Z', '2026-11-02', '2026-10-30T12:25:00Z', 7990, 'EUR',
   '[{"name": "Smart watch", "quantity": 1, "price_cents": 7990}]'),
  ('99001', 'C1006', 'shipped', 'DHL', '00340434161094077310', 'standard',
   '2026-11-25T07:40:00Z', '2026-11-25T13:15:00Z', '2026-11-30', NULL, 5200, 'EUR',
   '[{"name": "Tea set", "quantity": 1, "price_cents": 5200}]'),
  ('CS-20461', 'C1007', 'delivered', 'DHL', '00340434161094063011', 'express',
   '2026-11-18T09:25:00Z', '2026-11-18T15:00:00Z', '2026-11-19', '2026-11-19T10:40:00Z', 14980, 'EUR',
   '[{"name": "Mechanical keyboard", "quantity": 1, "price_cents": 11990}, {"name": "Wrist rest", "quantity": 1, "price_cents": 2000}]'),
  ('31415', 'C1007', 'out_for_delivery', 'UPS', '1Z999AA10123459999', 'standard',
   '2026-11-20T10:12:00Z', '2026-11-20T16:30:00Z', '2026-11-25', NULL, 3590, 'EUR',
   '[{"name": "Yoga mat", "quantity": 1, "price_cents": 3100}]'),
  ('27182', 'C1008', 'in_transit', 'UPS', '1Z999AA10123457777', 'express',
   '2026-11-24T11:48:00Z', '2026-11-24T15:35:00Z', '2026-11-25', NULL, 17990, 'EUR',
   '[{"name": "Tablet 11 inch", "quantity": 1, "price_cents": 17000}]'),
  ('10002', 'C1008', 'delivered', 'DPD', '01505012340001', 'standard',
   '2026-10-19T13:05:00Z', '2026-10-19T17:20:00Z', '2026-10-23', '2026-10-22T15:50:00Z', 6400, 'EUR',
   '[{"name": "Winter jacket", "quantity": 1, "price_cents": 6400}]');
