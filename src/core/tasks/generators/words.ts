/** Vocabulary for the generators: plain data (the tests read it too, but compute answers their own way). */

/** First names of mixed origin; every one ends in a lowercase letter (last-letter concatenation uses them). */
export const FIRST_NAMES = (
  'Aisha Alejandro Amara Anders Ben Carmen Chen Dario Elif Elena Farah Felix Grace Hana Hugo Ines Isaac ' +
  'Jamal Jonas Kai Kenji Lara Leon Lucia Maya Mateo Nadia Nico Olga Omar Priya Pablo Quinn Rosa Ravi ' +
  'Sara Sven Tariq Tessa Uma Victor Wanda Xavier Yara Yusuf Zoe Bruno Dalia Emeka Fiona Gael Hiro ' +
  'Ingrid Jasper Keira Lena Malik Noor Oscar Petra'
).split(' ');

/** Family names, for last-letter concatenation's longer inputs. */
export const LAST_NAMES = (
  'Garcia Nguyen Smith Okafor Kowalski Tanaka Silva Haddad Johnson Ivanova Rossi Moreau Schmidt Khan ' +
  'Lopez Andersen Mensah Park Novak Fischer Costa Yilmaz Murphy Bauer Sato Dubois Hansen Reyes Osei ' +
  'Larsen Patel Kim Bianchi Walsh Herrera Popescu Jensen Ortiz Mwangi Berg'
).split(' ');

/** Lowercase English words for sorting; several share a first letter or a prefix so that order takes more than one letter. */
export const SORT_WORDS = (
  'apple anchor angle arrow autumn bakery ball banner basket beach bicycle blanket bottle bridge butter ' +
  'cabin candle canoe carpet castle cellar chair cherry circle cloud coffee copper cotton crayon dancer ' +
  'desert dinner doctor dragon drum eagle earth engine envelope fabric falcon feather fence forest ' +
  'fountain garden garlic giant glacier guitar hammer harbor helmet honey island jacket jungle kettle ' +
  'kitten ladder lantern lemon letter lizard magnet marble meadow mirror monkey needle night oak ocean ' +
  'onion orange paddle palace paper parrot pencil pepper pillow planet pocket puzzle quilt rabbit river ' +
  'rocket saddle salmon sandal shadow silver spider stone sugar table tiger timber tomato tunnel ' +
  'umbrella valley velvet violin wagon walnut window winter yogurt zebra car pen sand star start'
).split(' ');

export interface Thing {
  one: string;
  many: string;
  /** "an" before the singular. */
  an?: boolean;
}

/** Object counting's kinds (BIG-bench object_counting asks for fruits, vegetables, animals, instruments, objects). */
export const KINDS: Readonly<Record<string, readonly Thing[]>> = {
  fruits: [
    { one: 'apple', many: 'apples', an: true },
    { one: 'banana', many: 'bananas' },
    { one: 'peach', many: 'peaches' },
    { one: 'plum', many: 'plums' },
    { one: 'strawberry', many: 'strawberries' },
    { one: 'orange', many: 'oranges', an: true },
    { one: 'grape', many: 'grapes' },
    { one: 'nectarine', many: 'nectarines' },
    { one: 'blackberry', many: 'blackberries' },
    { one: 'raspberry', many: 'raspberries' },
  ],
  vegetables: [
    { one: 'carrot', many: 'carrots' },
    { one: 'potato', many: 'potatoes' },
    { one: 'onion', many: 'onions', an: true },
    { one: 'cabbage', many: 'cabbages' },
    { one: 'yam', many: 'yams' },
    { one: 'stalk of celery', many: 'stalks of celery' },
    { one: 'head of broccoli', many: 'heads of broccoli' },
    { one: 'cauliflower', many: 'cauliflowers' },
    { one: 'bulb of garlic', many: 'bulbs of garlic' },
    { one: 'lettuce head', many: 'lettuce heads' },
  ],
  animals: [
    { one: 'cat', many: 'cats' },
    { one: 'goat', many: 'goats' },
    { one: 'rabbit', many: 'rabbits' },
    { one: 'mouse', many: 'mice' },
    { one: 'snail', many: 'snails' },
    { one: 'fish', many: 'fish' },
    { one: 'donkey', many: 'donkeys' },
    { one: 'frog', many: 'frogs' },
    { one: 'snake', many: 'snakes' },
    { one: 'duck', many: 'ducks' },
  ],
  'musical instruments': [
    { one: 'piano', many: 'pianos' },
    { one: 'flute', many: 'flutes' },
    { one: 'trombone', many: 'trombones' },
    { one: 'violin', many: 'violins' },
    { one: 'drum', many: 'drums' },
    { one: 'clarinet', many: 'clarinets' },
    { one: 'accordion', many: 'accordions', an: true },
    { one: 'trumpet', many: 'trumpets' },
    { one: 'cello', many: 'cellos' },
    { one: 'harp', many: 'harps' },
  ],
  objects: [
    { one: 'chair', many: 'chairs' },
    { one: 'table', many: 'tables' },
    { one: 'bed', many: 'beds' },
    { one: 'lamp', many: 'lamps' },
    { one: 'couch', many: 'couches' },
    { one: 'oven', many: 'ovens', an: true },
    { one: 'microwave', many: 'microwaves' },
    { one: 'toaster', many: 'toasters' },
    { one: 'stove', many: 'stoves' },
    { one: 'fridge', many: 'fridges' },
  ],
};
